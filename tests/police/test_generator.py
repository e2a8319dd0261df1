from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from django.core.management import call_command

from onedoor.police.generator import VIOLENT, generate


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_proportions_follow_the_2020_21_figures() -> None:
    buf = io.BytesIO()
    assert generate(buf, rows=6000, seed=4) == []
    rows = _rows(buf.getvalue())
    n = len(rows)
    assert n == 6000
    share = Counter(r["offence_group"] for r in rows)
    violent = sum(share[g] for g in VIOLENT) / n
    sexual = (share["rape"] + share["other-sexual-offences"]) / n
    assert abs(violent - 0.51) < 0.03 and abs(sexual - 0.04) < 0.015
    assert abs(sum(r["consent_to_share"] == "Y" for r in rows) / n - 0.77) < 0.03
    assert abs(sum(r["sex"] == "female" for r in rows) / n - 0.51) < 0.03
    assert abs(sum(r["ethnicity"] == "" for r in rows) / n - 0.39) < 0.03
    districts = Counter(r["district"] for r in rows if r["district"])
    assert districts.most_common(1)[0][0] == "E07000219"  # Nuneaton and Bedworth, 28%
    # Only drama-range numbers and reserved email domains.
    assert all(r["phone"] == "" or r["phone"].startswith("07700 900") for r in rows)
    assert all(r["email"] == "" or r["email"].endswith(("@example.org", "@example.com")) for r in rows)


def test_same_seed_same_file_and_faults_reported(tmp_path: Path) -> None:
    a, b = io.BytesIO(), io.BytesIO()
    from datetime import UTC, datetime

    anchor = datetime(2026, 1, 12, 12, tzinfo=UTC)
    bad_a = generate(a, rows=500, seed=9, bad_percent=10, anchor=anchor)
    bad_b = generate(b, rows=500, seed=9, bad_percent=10, anchor=anchor)
    assert a.getvalue() == b.getvalue() and bad_a == bad_b
    assert 25 < len(bad_a) < 80
    out = tmp_path / "f.csv"
    err = io.StringIO()
    call_command("make_police_file", "--rows", "50", "--seed", "2", "--bad-rows", "5", "-o", str(out), stderr=err)
    assert out.read_bytes().startswith(b"force_code,crime_reference")
    assert "50 rows" in err.getvalue()

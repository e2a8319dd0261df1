"""Re-importing a changed file (`make bench`, step 1b of bench/run.py): what an updated record costs
against a new one, and the memory either takes.

On the database the pipeline has just filled (every row of the file stored, with its referrals, offers and
audit rows), the same file is imported again three times: unchanged (the cost of a row seen again and left
alone), with 10% of its rows changed, then with 90% changed. The changed rows are nested (the 10% are among
the 90%), and each run changes them afresh, so every chosen row differs from what is stored: an officer's
revised offence description on every one, and a new email address on every third (a contact change,
which the referral follows). An updated row's cost is what the run took beyond its unchanged rows'
share of the unchanged run, over the rows changed; a new row's is the first import's time over its rows.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from pathlib import Path


def changed_file(path: Path, out: Path, share: float, tag: str, seed: int = 7) -> int:
    """Write `path` to `out` with `share` of its rows changed; returns how many were."""
    rng = random.Random(seed)
    n = 0
    with path.open(newline="", encoding="utf-8") as src, out.open("w", newline="", encoding="utf-8") as dst:
        reader = csv.DictReader(src)
        assert reader.fieldnames is not None
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames, lineterminator="\r\n")
        writer.writeheader()
        for i, row in enumerate(reader):
            if rng.random() < share:
                n += 1
                row["offence_description"] = (row["offence_description"] + f" Revised ({tag}).").strip()[:500]
                if i % 3 == 0 and row["email"]:
                    row["email"] = f"revised.{tag}.{i}@example.org"
            writer.writerow(row)
    return n


def reimport(path: Path, rss: Callable[[], float]) -> tuple[float, float, float, dict[str, int]]:
    """Import `path`; returns (seconds, RSS before, peak RSS while it ran, the batch's counts)."""
    from onedoor.core.context import origin
    from onedoor.police.services import police_batch_import

    before = rss()
    peak = [before]

    def progress(_: int) -> None:
        peak.append(rss())

    started = time.perf_counter()
    with origin("cli", "bench"), path.open("rb") as f:
        batch = police_batch_import(f=f, file_name=path.name, actor=None, channel="cli", progress=progress)
    elapsed = time.perf_counter() - started
    peak.append(rss())
    counts = {"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged}
    return elapsed, before, max(peak), counts


def updates_section(path: Path, rows: int, new_row_s: float, new_peak: float, rss: Callable[[], float]) -> None:
    from onedoor.police.models import PoliceVictimRecord
    from onedoor.referrals.models import Referral

    held = PoliceVictimRecord.objects.count()
    referrals = Referral.objects.count()
    print(f"\n1b. Re-importing the file, changed: {held:,} records and {referrals:,} referrals already stored")
    out = path.parent
    same_s, _, same_peak, counts = reimport(path, rss)
    per_seen = same_s / rows
    print(
        f"   unchanged: {rows:,} rows in {same_s:.1f} s ({per_seen * 1e3:.2f} ms a row), {counts}, "
        f"peak RSS {same_peak:.0f} MB"
    )
    print(f"   a new row (step 1): {new_row_s * 1e3:.2f} ms, peak RSS {new_peak:.0f} MB")
    for share in (0.10, 0.90):
        tag = f"{share:.0%}"
        changed_path = out / f"police-{rows}-changed-{int(share * 100)}.csv"
        n = changed_file(path, changed_path, share, tag)
        elapsed, before, peak, counts = reimport(changed_path, rss)
        per_updated = (elapsed - (rows - n) * per_seen) / n
        print(
            f"   {tag} changed: {n:,} rows updated in {elapsed:.1f} s, {counts}; an updated row "
            f"{per_updated * 1e3:.2f} ms = {per_updated / new_row_s:.2f}x a new row (target at most 2x); "
            f"RSS {before:.0f} MB before, peak {peak:.0f} MB"
        )
        changed_path.unlink()

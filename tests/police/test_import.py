from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from onedoor.accounts.models import Role
from onedoor.core.models import AuditEvent
from onedoor.messaging.models import Message, MessageStatus
from onedoor.police.generator import generate
from onedoor.police.models import BatchStatus, PoliceBatch, PoliceRowError, PoliceVictimRecord
from onedoor.police.services import ImportInterrupted, csv_safe, errors_csv_lines, police_batch_import
from onedoor.referrals.models import Allocation, Priority, Referral, Source, StatusEvent
from tests.police.helpers import NOON, csv_bytes, import_counts, import_state, row, run, wipe_imports

pytestmark = pytest.mark.django_db


def _import_cmd(path: Path, *args: str) -> tuple[dict[str, Any], str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_police", str(path), *args, stdout=out, stderr=err)
    return json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


def test_generated_10000_rows_with_5_percent_bad(tmp_path: Path) -> None:
    path = tmp_path / "police.csv"
    with path.open("wb") as f:
        bad = generate(f, rows=10_000, seed=11, bad_percent=5)
    assert 400 < len(bad) < 600

    summary, stderr = _import_cmd(path)

    assert summary["rows"] == 10_000
    assert summary["errors"] == len(bad)
    assert summary["created"] == 10_000 - len(bad)
    assert summary["encoding"] == "utf-8"
    assert summary["referrals"] == Referral.objects.filter(source=Source.POLICE_TRANSFER).count() > 0
    assert summary["messages_queued"] > 0
    assert set(summary) >= {"rows", "created", "updated", "unchanged", "errors", "referrals", "messages_queued"}
    assert PoliceVictimRecord.objects.count() == summary["created"]
    # Every bad row is reported with its line, column and what was expected.
    reported = set(PoliceRowError.objects.values_list("line", flat=True))
    assert reported == set(bad)
    for line in bad[:50]:
        assert f"line {line}, " in stderr
    assert not PoliceRowError.objects.filter(column="").exists()
    assert not PoliceRowError.objects.filter(expected="").exists()
    # Every processed record got a decision about its support offer.
    assert not PoliceVictimRecord.objects.filter(processed_at__isnull=True).exists()
    assert Message.objects.count() == summary["created"]

    again, _ = _import_cmd(path)
    assert again["created"] == 0
    assert again["updated"] == 0
    assert again["unchanged"] == summary["created"]
    assert again["referrals"] == 0
    assert again["messages_queued"] == 0


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes([row(), row(victim_reference="V2", first_name="Sam", phone="", email="")]))
    summary, _ = _import_cmd(path, "--dry-run")
    assert summary["created"] == 2
    assert summary["dry_run"] is True
    assert not PoliceVictimRecord.objects.exists()
    assert not PoliceBatch.objects.exists()


@pytest.mark.parametrize("phase,at", [("load", 3), ("process", 2)])
def test_killed_half_way_then_rerun_matches_one_clean_run(phase: str, at: int) -> None:
    buf = io.BytesIO()
    generate(buf, rows=600, seed=5, bad_percent=5, anchor=NOON)
    data = buf.getvalue()

    def kill(p: str, number: int) -> None:
        if p == phase and number == at:
            raise ImportInterrupted("killed")

    with pytest.raises(ImportInterrupted):
        police_batch_import(
            f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=100, after_chunk=kill
        )
    assert PoliceBatch.objects.get().status == BatchStatus.RUNNING
    half = PoliceVictimRecord.objects.count()
    assert half > 0
    police_batch_import(f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=100)
    resumed_state, resumed_counts = import_state(), import_counts()

    wipe_imports()
    police_batch_import(f=io.BytesIO(data), file_name="f.csv", actor=None, channel="cli", now=NOON, chunk_size=100)
    assert import_state() == resumed_state
    assert import_counts() == resumed_counts


def test_overlapping_file_updates_changed_rows_with_an_audit_row() -> None:
    first = run([row(), row(victim_reference="V2", first_name="Sam", email="sam@example.org", phone="07700 900124")])
    assert first.created == 2
    rec = PoliceVictimRecord.objects.get(victim_reference="V1")
    second = run(
        [
            row(phone="07700 900999"),
            row(victim_reference="V2", first_name="Sam", email="sam@example.org", phone="07700 900124"),
            row(crime_reference="23/0000002/26", first_name="Jo", email="jo@example.org", phone=""),
        ]
    )
    assert (second.created, second.updated, second.unchanged) == (1, 1, 1)
    rec.refresh_from_db()
    assert rec.phone == "+447700900999"
    audit = AuditEvent.objects.get(action="police_record.updated", object_id=str(rec.pk))
    assert audit.detail["fields"] == ["phone"]
    assert "07700" not in json.dumps(audit.detail)
    # The referral the first file made now has the new number too, and that change is audited.
    assert rec.referral is not None
    assert rec.referral.phone == "+447700900999"
    assert AuditEvent.objects.filter(action="referral.contact_updated", object_id=str(rec.referral.pk)).exists()


def test_referral_made_with_police_source_and_officer_as_referrer() -> None:
    run([row(offence_group="burglary-residential")])
    rec = PoliceVictimRecord.objects.get()
    referral = rec.referral
    assert referral is not None
    assert referral.source == Source.POLICE_TRANSFER
    assert referral.current_service is not None and referral.referrer is not None
    assert referral.current_service.slug == "victim-support"
    assert referral.referrer.email == "pc.smith@warwickshire.police.example"
    assert referral.referrer.role == Role.REFERRER
    assert not referral.referrer.has_usable_password()
    assert StatusEvent.objects.filter(referral=referral).count() == 1
    assert Allocation.objects.filter(referral=referral).count() == 1
    assert AuditEvent.objects.filter(action="referral.created", object_id=str(referral.pk)).exists()


def test_no_referral_without_consent_but_still_an_offer() -> None:
    run([row(consent_to_share="N")])
    rec = PoliceVictimRecord.objects.get()
    assert rec.referral is None
    assert "consent" in rec.routing_reason.lower()
    assert rec.offer is not None and rec.offer.status != MessageStatus.WITHHELD


def test_offence_outside_remit_gets_offer_only() -> None:
    run([row(offence_group="shoplifting")])
    rec = PoliceVictimRecord.objects.get()
    assert rec.referral is None
    assert rec.offer is not None and rec.offer.status != MessageStatus.WITHHELD


def test_repeat_victims_across_two_files_are_flagged_and_prioritised() -> None:
    run([row(crime_reference="23/0000001/26", recorded_at="2025-09-01T10:00:00", offence_group="shoplifting")])
    first = PoliceVictimRecord.objects.get()
    assert first.repeat is False
    # Another crime four months later: same name and date of birth, different phone and email.
    run(
        [
            row(
                crime_reference="23/0000099/26",
                recorded_at="2026-01-05T10:00:00",
                offence_group="criminal-damage-arson",
                first_name="ALEX ",
                phone="07700 900555",
                email="other@example.org",
            ),
            # Same phone as the first crime, different name: matched on phone.
            row(
                crime_reference="23/0000100/26",
                recorded_at="2026-01-06T10:00:00",
                offence_group="criminal-damage-arson",
                first_name="Robin",
                last_name="Hood",
                date_of_birth="",
                email="",
            ),
            # Someone new: not a repeat.
            row(
                crime_reference="23/0000101/26",
                first_name="Nia",
                last_name="Jones",
                phone="07700 900777",
                email="nia@example.org",
                offence_group="criminal-damage-arson",
            ),
        ]
    )
    again = PoliceVictimRecord.objects.get(crime_reference="23/0000099/26")
    by_phone = PoliceVictimRecord.objects.get(crime_reference="23/0000100/26")
    new = PoliceVictimRecord.objects.get(crime_reference="23/0000101/26")
    assert again.repeat and by_phone.repeat
    assert not new.repeat
    # Criminal damage alone is outside Victim Support's police remit; as a repeat victim it is referred,
    # with raised priority.
    assert again.referral is not None and again.referral.priority == Priority.HIGH
    assert again.referral.flags.filter(slug="repeat").exists()
    assert new.referral is None


def test_crime_more_than_12_months_ago_is_not_a_repeat() -> None:
    run([row(crime_reference="23/0000001/24", recorded_at="2024-06-01T10:00:00")])
    run([row(crime_reference="23/0000002/26", recorded_at="2026-01-05T10:00:00")])
    assert not PoliceVictimRecord.objects.get(crime_reference="23/0000002/26").repeat


def test_errors_csv_cannot_start_a_formula() -> None:
    batch = run(
        [
            row(first_name='=HYPERLINK("http://example.com","x")'),
            row(victim_reference="V2", first_name="+44", last_name="@SUM(A1)"),
            row(victim_reference="V3", recorded_at="-1"),
        ]
    )
    assert batch.errors == 3
    text = "".join(errors_csv_lines(batch))
    import csv as _csv

    cells = [c for r in _csv.reader(io.StringIO(text)) for c in r]
    assert cells[:4] == ["line", "column", "value", "expected"]
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    # A name is never shown in a row error, formula or not; any cell that did start like one is defused.
    assert "HYPERLINK" not in text and "SUM(A1)" not in text
    assert csv_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")' and csv_safe("-1") == "'-1"


def test_missing_required_column_rejects_the_file() -> None:
    data = csv_bytes([row()], columns=["force_code", "crime_reference", "victim_reference", "recorded_at"])
    batch = police_batch_import(f=io.BytesIO(data), file_name="x.csv", actor=None, channel="cli", now=NOON)
    assert batch.status == BatchStatus.REJECTED
    assert "offence_group" in batch.failure
    assert not PoliceVictimRecord.objects.exists()


def test_batch_ledger_records_hash_counts_who_and_when() -> None:
    batch = run([row(), row(victim_reference="V2", recorded_at="nope")])
    assert batch.status == BatchStatus.COMPLETED
    assert len(batch.file_hash) == 64
    assert (batch.rows, batch.created, batch.errors) == (2, 1, 1)
    assert batch.started_at == NOON and batch.finished_at is not None
    assert batch.channel == "cli"


def test_documented_example_file_imports_cleanly() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "police-transfer-v1.csv"
    with example.open("rb") as f:
        batch = police_batch_import(f=f, file_name=example.name, actor=None, channel="cli", now=NOON)
    assert (batch.rows, batch.created, batch.errors) == (4, 4, 0), list(batch.row_errors.values())
    child = PoliceVictimRecord.objects.get(crime_reference="23/0004513/26", victim_reference="V2")
    assert child.offer is not None and "under_16" in child.offer.withheld_reasons
    polish = PoliceVictimRecord.objects.get(crime_reference="23/0004520/26")
    assert polish.referral is None  # no consent to share
    assert polish.offer is not None and polish.offer.language == "pl"

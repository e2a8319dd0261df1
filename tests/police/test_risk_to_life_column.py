"""The police file's optional `risk_to_life` column (docs/police-transfer-format.md): Y makes the referral
urgent (due the same day, the team alerted); files without the column are read exactly as before."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.test import TestCase

from onedoor.accounts.models import Organisation, Role
from onedoor.accounts.services import user_create
from onedoor.police.models import PoliceRowError, PoliceVictimRecord
from onedoor.police.parser import COLUMNS
from onedoor.police.services import police_batch_import
from onedoor.referrals.models import Priority
from tests.police.helpers import NOON, csv_bytes, row, run

pytestmark = pytest.mark.django_db

OLD_COLUMNS = [c for c in COLUMNS if c != "risk_to_life"]


def _lead() -> str:
    lead = user_create(
        username="vs-lead",
        role=Role.TEAM_LEAD,
        organisation=Organisation.objects.get(slug="victim-support"),
        email="vs-lead@example.org",
    )
    return lead.email


def test_risk_to_life_y_makes_the_referral_due_the_same_day_and_alerts_the_team() -> None:
    lead = _lead()
    run([row(risk_to_life="Y"), row(victim_reference="V2", phone="07700 900124", email="", risk_to_life="")])
    urgent = PoliceVictimRecord.objects.get(victim_reference="V1").referral
    ordinary = PoliceVictimRecord.objects.get(victim_reference="V2").referral
    assert urgent is not None and ordinary is not None
    assert urgent.risk_to_life and not ordinary.risk_to_life
    assert urgent.due_on == NOON.date()
    assert ordinary.due_on is not None and ordinary.due_on > NOON.date()
    assert urgent.priority == Priority.URGENT
    alerts = [m for m in mail.outbox if m.subject.startswith("URGENT referral")]
    assert [m.to for m in alerts] == [[lead]]
    assert urgent.reference in alerts[0].subject


@pytest.mark.parametrize("answer", ["y", "yes", "N", "no", ""])
def test_the_column_takes_yes_no_or_blank(answer: str) -> None:
    run([row(risk_to_life=answer)])
    assert not PoliceRowError.objects.exists()
    referral = PoliceVictimRecord.objects.get().referral
    assert referral is not None
    assert referral.risk_to_life is (answer.lower() in {"y", "yes"})


def test_anything_else_is_a_row_error_that_says_what_to_send() -> None:
    run([row(risk_to_life="maybe")])
    error = PoliceRowError.objects.get()
    assert error.column == "risk_to_life"
    assert "Y" in error.expected and "N" in error.expected
    assert not PoliceVictimRecord.objects.exists()


def test_a_file_without_the_column_is_still_valid_and_an_old_file_again_changes_nothing() -> None:
    data = csv_bytes([row()], columns=OLD_COLUMNS)
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = police_batch_import(f=io.BytesIO(data), file_name="old.csv", actor=None, channel="cli", now=NOON)
    assert (first.created, first.errors) == (1, 0)
    record = PoliceVictimRecord.objects.get()
    assert record.risk_to_life == ""
    assert record.referral is not None and not record.referral.risk_to_life
    # The same victim in a file with the new column left blank is the same row: not "changed".
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = police_batch_import(
            f=io.BytesIO(csv_bytes([row()])), file_name="new.csv", actor=None, channel="cli", now=NOON
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

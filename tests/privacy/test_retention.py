"""The retention schedule from the area file, applied by apply_retention: dry run, legal hold, the one audit
row, idempotence, and the commissioner's figures for past periods unchanged by anonymisation."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from onedoor.accounts.models import Role, User
from onedoor.casework.models import ContactAttempt
from onedoor.casework.services.contact import contact_attempt_record
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.core.worker import periodic_jobs
from onedoor.directory.models import Feedback
from onedoor.insights import periods
from onedoor.insights.disclosure import protect
from onedoor.insights.models import RollupState
from onedoor.insights.query import Query, computable, compute
from onedoor.insights.rollups import SETTLE, rollups_refresh
from onedoor.messaging.models import Message
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.audit_purge import audit_rows_before, audit_rows_purge
from onedoor.privacy.models import LegalHold
from onedoor.privacy.retention import KINDS, apply_retention, cutoff_for, months_before, schedule
from onedoor.privacy.services import legal_hold_set
from onedoor.referrals.models import Referral, SignpostRecord, StatusEvent
from onedoor.referrals.services import referral_close, referral_create
from tests.police.helpers import row, run
from tests.referrals.factories import accept_by_team, details, make_referral

pytestmark = pytest.mark.django_db

LATER = date(2040, 1, 1)  # well past every period in the schedule


def _figures(today: date) -> Any:
    """The commissioner's figures for the month and the year the records belong to: every registered count,
    from the rollups brought up to date (so rebuilt from the anonymised rows where they changed), as
    published after disclosure control."""
    rollups_refresh()
    out = {}
    for period in (periods.month(today.year, today.month), periods.custom(date(today.year, 1, 1), today)):
        for measure_id in sorted(computable()):
            cube = compute(measure_id, Query(period=period))
            out[(period.code, measure_id)] = dict(protect([cube])[cube.population].shown)
    return out


AGGREGATE_FIELDS = (
    "pk",
    "received_on",
    "source",
    "status",
    "priority",
    "current_service_id",
    "district_id",
    "offence_group_id",
    "age_at_referral",
    "ethnicity_id",
    "sex_id",
    "gender_identity_id",
    "sexual_orientation_id",
    "disability_id",
    "religion_id",
    "due_on",
    "first_contacted_at",
    "routing_gap",
    "consent_given",
    "lawful_basis",
    "special_category_condition",
)


def _raw() -> Any:
    referrals = list(Referral.objects.order_by("pk").values_list(*AGGREGATE_FIELDS))
    flags = sorted(Referral.flags.through.objects.values_list("referral_id", "flag_id"))
    events = list(StatusEvent.objects.order_by("pk").values_list("referral_id", "at", "to_status", "service_id"))
    return referrals, flags, events


def _signposted() -> None:
    outcome = referral_create(
        details=details(offence="criminal-damage-arson", flag_slugs=["domestic-abuse"]), source="self", referrer=None
    )
    assert outcome.referral is None and outcome.signpost_record is not None


def _closed_case(team_lead: User, **kw: Any) -> Referral:
    referral = accept_by_team(referral=make_referral(referrer=None, source="self", **kw), team_of=team_lead)
    return referral_close(referral=referral, actor=team_lead, reason_code="support_completed")


def test_the_schedule_is_the_area_files_one_rule_per_kind() -> None:
    rules = {r.kind: (r.months, r.action) for r in schedule()}
    assert list(rules) == list(KINDS)
    assert rules["police_record_without_referral"] == (6, "delete")
    assert rules["closed_referral"] == (72, "anonymise")
    assert rules["audit_log"] == (84, "delete")
    assert schedule()[0].describe() == "Kept for 6 months, from the time the crime was recorded; then deleted."


def test_months_before_keeps_the_day_or_the_last_day_of_a_shorter_month() -> None:
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)


def test_dry_run_counts_by_kind_changes_nothing_and_writes_one_audit_row(team_lead: User) -> None:
    _closed_case(team_lead, first_name="Dana", last_name="Cole")
    run([row(consent_to_share="N")])  # a police record with no referral
    report = apply_retention(today=LATER, dry_run=True)
    assert report.counts["closed_referral"] == 1
    assert report.counts["police_record_without_referral"] == 1
    assert report.counts["support_offer_message"] == 1
    assert Referral.objects.get().first_name == "Dana"
    assert PoliceVictimRecord.objects.count() == 1
    row_ = AuditEvent.objects.get(action=AuditAction.RETENTION_DRY_RUN)
    assert row_.detail["counts"]["closed_referral"] == 1
    assert "Dana" not in json.dumps(row_.detail)


def test_anonymising_keeps_the_commissioners_past_figures_and_raw_aggregates(team_lead: User) -> None:
    for n in range(6):  # enough in one service that the counts are shown, not suppressed
        _closed_case(team_lead, first_name=f"Person{n}", last_name="Example", crime_reference=f"23/{n}/26")
    open_one = make_referral(referrer=None, source="self", first_name="Still", last_name="Open")
    _signposted()  # a SignpostRecord only
    run([row(consent_to_share="Y", crime_reference="23/9/26")])
    today = date.today()
    before_figures, before_raw = _figures(today), _raw()
    # Retention runs years after the rollups last looked at these days: past their settling window.
    RollupState.objects.update(refreshed_to=timezone.now() + SETTLE)

    report = apply_retention(today=LATER)

    assert report.counts["closed_referral"] == 6
    assert _figures(today) == before_figures
    assert _raw() == before_raw
    closed = Referral.objects.exclude(pk=open_one.pk).exclude(source="police-transfer")
    assert set(closed.values_list("first_name", "last_name", "phone", "date_of_birth", "reason").distinct()) == {
        ("", "", "", None, "")
    }
    assert all(r.anonymised_at is not None for r in closed)
    assert Referral.objects.get(pk=open_one.pk).first_name == "Still"  # open: untouched


def test_a_legal_hold_keeps_a_case_out_and_is_audited(team_lead: User, make_user: Any) -> None:
    held = _closed_case(team_lead, first_name="Held")
    _closed_case(team_lead, first_name="Free")
    with pytest.raises(PermissionDenied):
        legal_hold_set(referral=held, actor=make_user(Role.CASEWORKER, "victim-support"), reason="A claim")
    hold = legal_hold_set(referral=held, actor=team_lead, reason="A civil claim is expected")
    assert AuditEvent.objects.filter(action=AuditAction.LEGAL_HOLD_SET, object_id=str(held.pk)).count() == 1
    report = apply_retention(today=LATER)
    assert report.counts["closed_referral"] == 1
    assert report.held_cases == 1
    assert Referral.objects.get(pk=held.pk).first_name == "Held"
    assert Referral.objects.get(first_name="").pk != held.pk
    assert hold.lifted_at is None


def test_deleting_kinds_and_a_second_run_doing_nothing(team_lead: User) -> None:
    run([row(consent_to_share="N")])
    _signposted()
    Feedback.objects.create(received_on=date(2026, 1, 2), satisfaction=4, could_be_better="Sam was kind")
    first = apply_retention(today=LATER)
    assert first.counts["police_record_without_referral"] == 1
    assert first.counts["signpost_record"] == 0  # made by the public: nobody to forget
    assert first.counts["feedback"] == 1
    assert not PoliceVictimRecord.objects.exists()
    assert SignpostRecord.objects.count() == 1  # anonymised by the schedule, so still counted
    assert Feedback.objects.get().could_be_better == ""
    assert Feedback.objects.get().satisfaction == 4  # the score is counted: kept
    assert Message.objects.get().to == ""
    second = apply_retention(today=LATER)
    assert {k: v for k, v in second.counts.items() if k != "audit_log"} == dict.fromkeys(
        (k for k in KINDS if k != "audit_log"), 0
    )
    assert AuditEvent.objects.filter(action=AuditAction.RETENTION_APPLIED).count() == 2


def test_nothing_is_due_before_its_period(team_lead: User) -> None:
    _closed_case(team_lead)
    run([row(consent_to_share="N")])
    report = apply_retention(today=date.today() + timedelta(days=1))
    assert report.counts["closed_referral"] == 0
    assert report.counts["signpost_record"] == 0


def test_retention_runs_daily_in_the_worker() -> None:
    job = next(j for j in periodic_jobs() if j.name == "apply_retention")
    assert job.every_seconds == 24 * 60 * 60


def test_the_command_reports_a_dry_run_as_json() -> None:
    run([row(consent_to_share="N")])
    out = StringIO()
    call_command("apply_retention", "--dry-run", "--today", "2040-01-01", stdout=out)
    report = json.loads(out.getvalue())
    assert report["dry_run"] is True
    assert report["counts"]["police_record_without_referral"] == 1
    assert PoliceVictimRecord.objects.count() == 1


def test_the_command_refuses_a_bad_day() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_retention", "--today", "1/1/2040")


def test_only_the_owners_purge_removes_audit_rows_and_the_guard_comes_back() -> None:
    audit_record(actor=None, action=AuditAction.RETENTION_DRY_RUN, detail={})
    cutoff = cutoff_for(LATER, 1)
    assert audit_rows_before(cutoff) >= 1
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    removed = audit_rows_purge(cutoff)
    assert removed >= 1
    assert audit_rows_before(cutoff) == 0
    audit_record(actor=None, action=AuditAction.RETENTION_DRY_RUN, detail={})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")


def test_the_privacy_page_states_the_areas_schedule(client: Any, settings: Any, tmp_path: Any) -> None:
    page = client.get("/privacy/").content.decode()
    assert "Police transfer records that led to no referral" in page
    assert "Kept for 6 months, from the time the crime was recorded; then deleted." in page
    assert "Kept for 6 years, from the referral&#x27;s last status change; then anonymised" in page
    # Another area's file, another schedule: the page follows the data, not the code.
    area = json.loads((Path(settings.BASE_DIR) / "onedoor" / "areas" / "warwickshire.json").read_text())
    area["retention"]["police_record_without_referral"] = {"months": 3, "action": "anonymise"}
    other = tmp_path / "other.json"
    other.write_text(json.dumps(area))
    settings.ONEDOOR_AREA = str(other)
    page = client.get("/privacy/").content.decode()
    assert "Kept for 3 months, from the time the crime was recorded; then anonymised" in page


def test_casework_free_text_goes_and_a_done_case_is_not_counted_again(
    team_lead: User, make_user: Any, settings: Any, tmp_path: Any
) -> None:
    # An area that clears casework notes after a month but keeps the referral for six years.
    area = json.loads((Path(settings.BASE_DIR) / "onedoor" / "areas" / "warwickshire.json").read_text())
    area["retention"]["case_casework"] = {"months": 1, "action": "anonymise"}
    path = tmp_path / "short-casework.json"
    path.write_text(json.dumps(area))
    settings.ONEDOOR_AREA = str(path)
    caseworker = make_user(Role.CASEWORKER, "victim-support")
    referral = accept_by_team(referral=make_referral(referrer=None, source="self"), team_of=caseworker)
    contact_attempt_record(
        referral=referral, actor=caseworker, channel="text", outcome="no_answer", note="Left word with Pat Green"
    )
    referral_close(referral=referral, actor=team_lead, reason_code="support_completed")
    in_two_months = date.today() + timedelta(days=62)
    first = apply_retention(today=in_two_months)
    assert (first.counts["case_casework"], first.counts["closed_referral"]) == (1, 0)
    attempt = ContactAttempt.objects.get(referral=referral)
    assert (attempt.note, attempt.channel, attempt.outcome) == ("", "text", "no_answer")
    assert Referral.objects.get(pk=referral.pk).first_name == "Test"  # the referral itself is kept
    assert apply_retention(today=in_two_months).counts["case_casework"] == 0


def test_the_team_lead_sets_and_lifts_a_hold_on_the_page_and_others_get_404(
    team_lead: User, make_user: Any, signed_in_client: Any
) -> None:
    referral = make_referral(referrer=None, source="self")
    url = f"/cases/{referral.reference}/legal-hold/"
    rosa_lead = make_user(Role.TEAM_LEAD, "rosa")
    assert signed_in_client(rosa_lead).get(url).status_code == 404
    client = signed_in_client(team_lead)
    empty = client.post(url, {"reason": " "})
    assert empty.status_code == 400 and "Give a reason" in empty.content.decode()
    assert client.post(url, {"reason": "A civil claim is expected"}).status_code == 302
    assert LegalHold.objects.get(referral=referral).reason == "A civil claim is expected"
    assert client.post(url, {"lift": "1"}).status_code == 302
    assert LegalHold.objects.get(referral=referral).lifted_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.LEGAL_HOLD_LIFTED).count() == 1

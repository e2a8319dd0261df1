"""Every safety rule withholds the support offer and records why, through the real import."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from onedoor.messaging.models import Message, MessageStatus
from onedoor.messaging.safety import Reason, quiet_hours_end
from onedoor.messaging.services import messages_send_due
from onedoor.police.models import PoliceVictimRecord
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db


def _offer(**overrides: str) -> Message:
    run([row(**overrides)])
    rec = PoliceVictimRecord.objects.get()
    assert rec.offer is not None
    return rec.offer


def test_offer_sent_by_text_when_everything_allows_it() -> None:
    offer = _offer()
    assert offer.channel == "sms"
    assert offer.status == MessageStatus.DELIVERED  # the file backend delivers at once
    assert offer.withheld_reasons == []


@pytest.mark.parametrize(
    "overrides,reason",
    [
        ({"contact_permitted": "N"}, Reason.CONTACT_NOT_PERMITTED),
        ({"date_of_birth": "2012-03-01"}, Reason.UNDER_16),
        ({"offence_group": "rape", "contact_permitted": ""}, Reason.SENSITIVE_NEEDS_EXPLICIT_YES),
        ({"flags": "domestic-abuse", "contact_permitted": ""}, Reason.SENSITIVE_NEEDS_EXPLICIT_YES),
        ({"flags": "child-criminal-exploitation", "contact_permitted": ""}, Reason.SENSITIVE_NEEDS_EXPLICIT_YES),
    ],
)
def test_person_rules_withhold_and_record_the_reason(overrides: dict[str, str], reason: str) -> None:
    offer = _offer(**overrides)
    assert offer.status == MessageStatus.WITHHELD
    assert reason in offer.withheld_reasons
    assert offer.to == ""


def test_sensitive_offence_with_explicit_yes_is_offered() -> None:
    offer = _offer(offence_group="rape", contact_permitted="Y")
    assert offer.status != MessageStatus.WITHHELD


def test_no_text_unless_safe_to_text_and_no_email_unless_safe_to_email() -> None:
    offer = _offer(safe_to_text="", safe_to_email="N")
    assert offer.status == MessageStatus.WITHHELD
    assert offer.withheld_reasons == [Reason.NOT_SAFE_TO_TEXT, Reason.NOT_SAFE_TO_EMAIL]


def test_email_used_when_texting_is_not_safe() -> None:
    offer = _offer(safe_to_text="N", safe_to_email="Y")
    assert offer.channel == "email"
    assert offer.status != MessageStatus.WITHHELD


def test_same_number_for_two_victims_in_one_crime_flags_both_and_messages_no_one() -> None:
    run(
        [
            row(victim_reference="V1", first_name="Alex", email="alex@example.org"),
            row(victim_reference="V2", first_name="Jordan", last_name="Lee", email="jordan@example.org"),
            row(victim_reference="V3", first_name="Kim", last_name="Ray", phone="07700 900222", email=""),
        ]
    )
    v1, v2, v3 = PoliceVictimRecord.objects.order_by("victim_reference")
    for rec in (v1, v2):
        assert rec.needs_review
        assert rec.offer is not None and rec.offer.status == MessageStatus.WITHHELD
        assert Reason.SHARED_CONTACT_IN_CRIME in rec.offer.withheld_reasons
        assert rec.referral is not None and rec.referral.contact_check_needed
        assert rec.referral.reason.startswith("Check the contact details before use")
        assert rec.referral.phone == ""
    assert v3.referral is not None and not v3.referral.contact_check_needed
    assert not v3.needs_review
    assert v3.offer is not None and v3.offer.status != MessageStatus.WITHHELD
    assert Message.objects.exclude(status=MessageStatus.WITHHELD).count() == 1


def test_one_offer_per_person_in_30_days_however_many_crimes() -> None:
    run([row(crime_reference="23/0000001/26")])
    run([row(crime_reference="23/0000002/26", recorded_at="2026-01-11T10:00:00")])
    second = PoliceVictimRecord.objects.get(crime_reference="23/0000002/26")
    assert second.offer is not None and second.offer.status == MessageStatus.WITHHELD
    assert second.offer.withheld_reasons == [Reason.OFFER_SENT_RECENTLY]
    # Thirty-one days on, a new crime gets a new offer.
    later = timezone.make_aware(datetime(2026, 2, 13, 12, 0))
    run([row(crime_reference="23/0000003/26", recorded_at="2026-02-12T10:00:00")], now=later)
    third = PoliceVictimRecord.objects.get(crime_reference="23/0000003/26")
    assert third.offer is not None and third.offer.status != MessageStatus.WITHHELD


def test_quiet_hours_queue_texts_until_eight() -> None:
    late = timezone.make_aware(datetime(2026, 1, 12, 22, 30))
    run([row()], now=late)
    offer = PoliceVictimRecord.objects.get().offer
    assert offer is not None
    assert offer.status == MessageStatus.QUEUED
    assert offer.send_after == timezone.make_aware(datetime(2026, 1, 13, 8, 0))
    assert "quiet hours" in offer.note
    assert messages_send_due(now=timezone.make_aware(datetime(2026, 1, 13, 7, 59))) == 0
    assert messages_send_due(now=timezone.make_aware(datetime(2026, 1, 13, 8, 0))) == 1
    offer.refresh_from_db()
    assert offer.status == MessageStatus.DELIVERED


def test_quiet_hours_boundaries_in_uk_time() -> None:
    uk = timezone.get_default_timezone()
    assert quiet_hours_end(datetime(2026, 7, 1, 20, 59, tzinfo=uk)) is None
    assert quiet_hours_end(datetime(2026, 7, 1, 21, 0, tzinfo=uk)) == datetime(2026, 7, 2, 8, 0, tzinfo=uk)
    assert quiet_hours_end(datetime(2026, 7, 2, 7, 59, tzinfo=uk)) == datetime(2026, 7, 2, 8, 0, tzinfo=uk)
    assert quiet_hours_end(datetime(2026, 7, 2, 8, 0, tzinfo=uk)) is None


def test_message_in_preferred_language_else_english() -> None:
    run(
        [
            row(preferred_language="pl"),
            row(victim_reference="V2", first_name="Sam", phone="07700 900124", email="", preferred_language="sw"),
        ]
    )
    pl, sw = PoliceVictimRecord.objects.order_by("victim_reference")
    assert pl.offer is not None and pl.offer.language == "pl"
    assert sw.offer is not None and sw.offer.language == "en"


def test_no_personal_information_in_message_reference() -> None:
    offer = _offer()
    assert "7700" not in str(offer.reference) and "alex" not in str(offer.reference).lower()

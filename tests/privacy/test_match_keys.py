"""Match keys that can rotate: with the previous key still configured, repeat victims, recent offers and
invalid contacts stored under it are still found; rekey_hashes rewrites them, after which the old key can go."""

from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from onedoor.core.audit_actions import AuditAction
from onedoor.core.models import AuditEvent
from onedoor.messaging.models import InvalidContact, Message
from onedoor.messaging.safety import Reason
from onedoor.police.models import PoliceVictimRecord
from tests.police.helpers import row, run

pytestmark = pytest.mark.django_db

PERSON = b"alex|morgan|1980-05-01"


def _h(key: str, value: bytes) -> str:
    return hmac.new(key.encode(), value, hashlib.sha256).hexdigest()


def _first_crime(settings: Any) -> PoliceVictimRecord:
    settings.ONEDOOR_MATCH_KEYS = ["old-key"]
    run([row(crime_reference="23/0000001/26", recorded_at="2025-09-01T10:00:00", offence_group="shoplifting")])
    first = PoliceVictimRecord.objects.get()
    assert first.person_key == _h("old-key", PERSON)
    return first


def _again(crime: str, recorded_at: str, **kw: str) -> PoliceVictimRecord:
    run(
        [
            row(
                crime_reference=crime,
                recorded_at=recorded_at,
                offence_group="criminal-damage-arson",
                phone="07700 900555",
                email="other@example.org",
                **kw,
            )
        ]
    )
    return PoliceVictimRecord.objects.get(crime_reference=crime)


def test_without_the_previous_key_a_repeat_victim_is_missed(settings: Any) -> None:
    """The failure rotation must avoid: what the old setup (one secret key, no previous keys) did."""
    _first_crime(settings)
    settings.ONEDOOR_MATCH_KEYS = ["new-key"]
    assert _again("23/0000099/26", "2026-01-05T10:00:00").repeat is False


def test_after_rotation_repeat_victims_are_still_found_then_rekeyed(settings: Any) -> None:
    first = _first_crime(settings)
    settings.ONEDOOR_MATCH_KEYS = ["new-key", "old-key"]
    second = _again("23/0000099/26", "2026-01-05T10:00:00")
    assert second.repeat is True  # matched through the previous key
    assert second.person_key == _h("new-key", PERSON)

    out = StringIO()
    call_command("rekey_hashes", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["police_records"] == 1  # the first record; the second was already under the new key
    first.refresh_from_db()
    assert first.person_key == _h("new-key", PERSON)
    assert first.phone_key == _h("new-key", b"+447700900123")
    assert Message.objects.filter(person_key=_h("old-key", PERSON)).count() == 0
    assert AuditEvent.objects.get(action=AuditAction.MATCH_KEYS_REKEYED).detail == counts

    settings.ONEDOOR_MATCH_KEYS = ["new-key"]  # the old key is gone
    third = _again("23/0000200/26", "2026-01-08T10:00:00")
    assert third.repeat is True
    call_command("rekey_hashes", stdout=StringIO())  # nothing to do now: one key


def test_an_invalid_contact_marked_under_the_old_key_still_stops_an_offer(settings: Any) -> None:
    settings.ONEDOOR_MATCH_KEYS = ["old-key"]
    InvalidContact.objects.create(channel="sms", contact_key=_h("old-key", b"+447700900123"), marked_at=timezone.now())
    settings.ONEDOOR_MATCH_KEYS = ["new-key", "old-key"]
    run([row(email="")])
    offer = PoliceVictimRecord.objects.get().offer
    assert offer is not None
    assert offer.withheld_reasons == [Reason.CONTACT_INVALID, Reason.NO_EMAIL_ADDRESS]
    call_command("rekey_hashes", stdout=StringIO())
    assert InvalidContact.objects.get().contact_key == _h("new-key", b"+447700900123")


def test_a_second_rekey_finds_nothing_left(settings: Any) -> None:
    _first_crime(settings)
    settings.ONEDOOR_MATCH_KEYS = ["new-key", "old-key"]
    call_command("rekey_hashes", stdout=StringIO())
    out = StringIO()
    call_command("rekey_hashes", stdout=out)
    assert json.loads(out.getvalue()) == {
        "police_records": 0,
        "messages": 0,
        "invalid_contacts": 0,
        "restricted_keys": 0,
    }

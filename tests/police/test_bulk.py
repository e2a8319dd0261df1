"""The bulk path makes the same referral, with the same allocation, event and audit, as referral_create."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict

from onedoor.accounts.models import User
from onedoor.core.models import AuditEvent
from onedoor.police.bulk import BulkContext, referrals_create_bulk
from onedoor.referrals.models import Allocation, Referral, SignpostRecord, Source, StatusEvent
from onedoor.referrals.routing import RoutingTable
from onedoor.referrals.services import referral_create
from tests.referrals.factories import details

pytestmark = pytest.mark.django_db
IGNORED = {"id", "reference", "created_at", "updated_at"}


def _comparable(referral: Referral) -> dict[str, Any]:
    data = {k: v for k, v in model_to_dict(referral).items() if k not in IGNORED}
    data["flags"] = sorted(f.slug for f in referral.flags.all())
    data["secondary_services"] = sorted(s.slug for s in referral.secondary_services.all())
    data["needs"] = sorted(n.slug for n in referral.needs.all())
    return data


@pytest.mark.parametrize(
    "overrides",
    [
        {"offence": "burglary-residential"},
        {"offence": "rape", "age": 15, "date_of_birth": None},
        {"offence": "violence-with-injury", "flag_slugs": ["repeat", "cj-substance-use"], "age": 20},
        {"offence": "shoplifting", "flag_slugs": ["vulnerable"]},
    ],
)
def test_bulk_matches_referral_create(overrides: dict[str, Any], referrer: User) -> None:
    table = RoutingTable.load()
    one = referral_create(details=details(**overrides), source=Source.POLICE_TRANSFER, referrer=referrer, table=table)
    [bulk] = referrals_create_bulk(items=[(details(**overrides), referrer)], ctx=BulkContext.load(table))
    assert one.referral is not None and bulk.referral_id is not None
    assert bulk.decision == one.decision
    written = Referral.objects.get(pk=bulk.referral_id)
    assert _comparable(written) == _comparable(Referral.objects.get(pk=one.referral.pk))
    for referral in (one.referral, written):
        assert Allocation.objects.filter(referral=referral, ended_at__isnull=True).count() == 1
        assert list(StatusEvent.objects.filter(referral=referral).values_list("to_status", "actor")) == [
            ("received", referrer.pk)
        ]
        assert AuditEvent.objects.filter(action="referral.created", object_id=str(referral.pk), actor=referrer).exists()


def test_bulk_signposts_like_referral_create(make_user: Callable[..., User]) -> None:
    table = RoutingTable.load()
    item = details(offence="shoplifting", flag_slugs=["domestic-abuse"])
    [outcome] = referrals_create_bulk(items=[(item, None)], ctx=BulkContext.load(table))
    assert outcome.referral_id is None
    record = SignpostRecord.objects.get()
    assert record.source == Source.POLICE_TRANSFER
    assert AuditEvent.objects.filter(action="referral.signposted", object_id=str(record.pk)).exists()


def test_bulk_refuses_without_consent(referrer: User) -> None:
    with pytest.raises(ValueError, match="consent"):
        referrals_create_bulk(
            items=[(details(consent_given=False, consent_given_by=""), referrer)],
            ctx=BulkContext.load(RoutingTable.load()),
        )

"""The police import's bulk path (routing by the bulk table, referrals planned and written in bulk) and
`referral_create` make the same referral for the same victim: the same service, status, priority, due date,
flags, routing reason, allocation and first status event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.accounts.models import User
from onedoor.core.models import District, Flag, OffenceGroup
from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals.models import Allocation, Referral, Source, StatusEvent
from onedoor.referrals.services import ReferralDetails, referral_create
from tests.police.helpers import NOON, row, run, wipe_imports

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate(NOON)
OFFENCES = [
    "burglary-residential",
    "rape",
    "other-sexual-offences",
    "violence-with-injury",
    "fraud",
    "stalking-harassment",
    "criminal-damage-arson",
    "anti-social-behaviour",
]
FLAGS = [
    "hate",
    "vulnerable",
    "domestic-abuse",
    "child-sexual-exploitation",
    "child-criminal-exploitation",
    "modern-slavery",
    "sexual-exploitation",
    "cj-substance-use",
    "road-traffic-collision",
]
DISTRICTS = ["E07000222", "E07000218", "E07000219", "E07000220", "E07000221"]

victims = st.fixed_dictionaries(
    {
        "offence_group": st.sampled_from(OFFENCES),
        "flags": st.lists(st.sampled_from(FLAGS), max_size=3, unique=True),
        "age_days": st.none() | st.integers(min_value=5 * 365, max_value=90 * 365),
        "district": st.sampled_from(DISTRICTS),
        "safe_to_text": st.sampled_from(["Y", "N", ""]),
        "safe_to_email": st.sampled_from(["Y", "N", ""]),
        "language": st.sampled_from(["", "pl", "ur"]),
    }
)

# Everything a referral records except its identity, its times and its free text.
IGNORED = {"id", "reference", "created_at", "updated_at", "received_at", "reason"}


def _fields(referral: Referral) -> dict[str, Any]:
    values = {
        f.attname: getattr(referral, f.attname) for f in Referral._meta.concrete_fields if f.attname not in IGNORED
    }
    values["flags"] = sorted(referral.flags.values_list("slug", flat=True))
    values["allocations"] = list(Allocation.objects.filter(referral=referral).values_list("service_id", "ended_at"))
    values["events"] = list(
        StatusEvent.objects.filter(referral=referral).values_list(
            "from_status", "to_status", "service_id", "actor_id", "reason_code"
        )
    )
    return values


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(v=victims)
def test_the_bulk_path_and_referral_create_make_the_same_referral(v: dict[str, Any]) -> None:
    wipe_imports()
    dob = date.fromordinal(TODAY.toordinal() - v["age_days"]) if v["age_days"] is not None else None
    run(
        [
            row(
                offence_group=v["offence_group"],
                flags=";".join(v["flags"]),
                date_of_birth=dob.isoformat() if dob else "",
                district=v["district"],
                safe_to_text=v["safe_to_text"],
                safe_to_email=v["safe_to_email"],
                preferred_language=v["language"],
            )
        ]
    )
    rec = PoliceVictimRecord.objects.select_related("referral__referrer").get()
    bulk = rec.referral
    officer = User.objects.get(email=row()["officer_email"])
    # The same victim, as the police would give it through the one standard referral.
    outcome = referral_create(
        details=ReferralDetails(
            first_name="Alex",
            last_name="Morgan",
            date_of_birth=dob,
            preferred_language=v["language"],
            phone="+447700900123",
            email="alex.morgan@example.org",
            safe_to_text=v["safe_to_text"] == "Y",
            safe_to_email=v["safe_to_email"] == "Y",
            district=District.objects.get(gss_code=v["district"]),
            postcode="CV34 4RL",
            reported_to_police=True,
            crime_reference="23/0000001/26",
            crime_reported_on=timezone.localtime(rec.recorded_at).date(),  # the import reads it from the file
            offence_group=OffenceGroup.objects.get(slug=v["offence_group"]),
            flags=list(Flag.objects.filter(slug__in=v["flags"])),
            reason="Police referral",
            consent_given=True,
            consent_given_by="person",
            demographics=_demographics(),
        ),
        source=Source.POLICE_TRANSFER,
        referrer=officer,
        now=NOON,
    )
    single = outcome.referral
    assert outcome.decision.reason == rec.routing_reason
    if bulk is None:  # routing found no service: only a signpost record, on both paths
        assert single is None
        return
    assert single is not None and bulk.referrer == officer
    assert _fields(single) == _fields(bulk)


def _demographics() -> dict[str, Any]:
    """The sex the row gave (female), and ethnicity as the row left it (blank: not recorded)."""
    from onedoor.core.models import DemographicCategory

    return {"sex": DemographicCategory.objects.get(characteristic="sex", code="female"), "ethnicity": None}

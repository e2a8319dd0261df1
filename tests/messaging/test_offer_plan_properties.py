"""Properties of the support-offer safety rules, with oracles written from docs/messaging.md ("Safety rules")
and docs/police-transfer-format.md, not from onedoor/messaging/safety.py.

Two levels:
- `offer_plan` itself, over every combination of facts: the channel it picks is exactly the one the rules
  table gives.
- the whole police import, over generated crimes (several victims, shared and differently written numbers
  and emails, dates of birth either side of 16, sensitive offences and flags, Y/N answers written every way,
  some invalid): no message breaks a rule, whatever the import computed on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.messaging.models import Message, MessageStatus
from onedoor.messaging.safety import ContactFacts, offer_plan
from onedoor.police.models import PoliceVictimRecord
from tests.police.helpers import NOON, row, run, wipe_imports

# -- the rules, as docs/messaging.md states them -------------------------------------------------------

ANSWERS = st.sampled_from(["Y", "N", "", "y", "n", "yes", "No", "X", "1", " Y", "YES PLEASE"])


def explicit_yes(answer: str) -> bool:
    """Only an explicit Y opens anything; the transfer format also takes `yes` in any case (and trims cells)."""
    return answer.strip().upper() in ("Y", "YES")


def oracle_channel(f: ContactFacts) -> str | None:
    """docs/messaging.md, "Safety rules": the person rules stop everything; then a text is preferred, email
    used when texting is not allowed."""
    if f.contact_permitted == "N":
        return None
    if f.sensitive and f.contact_permitted != "Y":
        return None
    if f.age is not None and f.age < 16:
        return None
    if f.shared_contact_in_crime or f.offered_recently:
        return None
    if f.mobile and f.safe_to_text == "Y" and "sms" not in f.invalid_channels:
        return "sms"
    if f.email and f.safe_to_email == "Y" and "email" not in f.invalid_channels:
        return "email"
    return None


facts = st.builds(
    ContactFacts,
    age=st.none() | st.integers(min_value=0, max_value=110),
    sensitive=st.booleans(),
    contact_permitted=ANSWERS,
    safe_to_text=ANSWERS,
    safe_to_email=ANSWERS,
    mobile=st.sampled_from(["", "+447700900123", "+447911123456"]),
    email=st.sampled_from(["", "a@example.org"]),
    shared_contact_in_crime=st.booleans(),
    offered_recently=st.booleans(),
    invalid_channels=st.frozensets(st.sampled_from(["sms", "email"])),
)


@settings(max_examples=1000)
@given(f=facts)
def test_offer_plan_picks_exactly_the_channel_the_rules_allow(f: ContactFacts) -> None:
    plan = offer_plan(f)
    assert plan.channel == oracle_channel(f)
    assert bool(plan.reasons) == (plan.channel is None)  # a withheld offer always says why


@settings(max_examples=500)
@given(f=facts)
def test_offer_plan_never_breaks_a_rule(f: ContactFacts) -> None:
    channel = offer_plan(f).channel
    if channel == "sms":
        assert f.safe_to_text == "Y" and f.mobile
    if channel == "email":
        assert f.safe_to_email == "Y" and f.email
    if f.age is not None and f.age < 16:
        assert channel is None
    if f.sensitive and f.contact_permitted != "Y":
        assert channel is None
    if f.shared_contact_in_crime:
        assert channel is None


# -- through the police import -------------------------------------------------------------------------

TODAY = timezone.localdate(NOON)
SEXUAL_OFFENCES = {"rape", "other-sexual-offences"}  # offence_groups.json, category "Sexual offences"
SENSITIVE_FLAGS = {  # docs/messaging.md: domestic abuse and the exploitation flags
    "domestic-abuse",
    "child-sexual-exploitation",
    "child-criminal-exploitation",
    "modern-slavery",
    "sexual-exploitation",
}
OTHER_FLAGS = ["hate", "vulnerable"]
# One number written three ways, another mobile, a landline; emails differing only in case.
PHONES = ["07700 900123", "+447700900123", "07700900123", "07911 123456", "01926 410000", ""]
EMAILS = ["alex@example.org", "ALEX@example.org", "kim@example.org", ""]
NAMES = [("Alex", "Morgan"), ("Kim", "Ray"), ("alex", "morgan")]  # the last is the first person again


def birth_date(age_days: int) -> date:
    """A date of birth that many days before the day of processing."""
    return date.fromordinal(TODAY.toordinal() - age_days)


def age_on_processing_day(dob: date) -> int:
    return TODAY.year - dob.year - ((TODAY.month, TODAY.day) < (dob.month, dob.day))


@dataclass(frozen=True)
class Victim:
    name: tuple[str, str]
    dob: date | None
    phone: str
    email: str
    offence: str
    flags: tuple[str, ...]
    contact_permitted: str
    safe_to_text: str
    safe_to_email: str
    consent: str


def _around_16() -> st.SearchStrategy[int]:
    sixteen = 16 * 365 + 4
    return st.integers(min_value=sixteen - 3, max_value=sixteen + 3) | st.integers(min_value=0, max_value=90 * 365)


victims = st.builds(
    Victim,
    name=st.sampled_from(NAMES),
    dob=st.none() | _around_16().map(birth_date),
    phone=st.sampled_from(PHONES),
    email=st.sampled_from(EMAILS),
    offence=st.sampled_from(["burglary-residential", "rape", "other-sexual-offences", "violence-with-injury"]),
    flags=st.lists(st.sampled_from([*sorted(SENSITIVE_FLAGS), *OTHER_FLAGS]), max_size=2, unique=True).map(tuple),
    contact_permitted=ANSWERS,
    safe_to_text=ANSWERS,
    safe_to_email=ANSWERS,
    consent=st.sampled_from(["Y", "N"]),
)
# Up to two crimes of up to four victims each.
crimes = st.lists(st.lists(victims, min_size=1, max_size=4), min_size=1, max_size=2)


def _answer_is_valid(answer: str) -> bool:
    return answer.strip().upper() in ("Y", "N", "YES", "NO", "")


def _phone_key(phone: str) -> str:
    digits = phone.replace(" ", "")
    return "+44" + digits[1:] if digits.startswith("0") else digits


def _row_is_valid(v: Victim) -> bool:
    return all(_answer_is_valid(a) for a in (v.contact_permitted, v.safe_to_text, v.safe_to_email))


def _person(name: tuple[str, str]) -> str:
    return "".join(name).lower()


def _shares_with_another_person(v: Victim, crime: list[Victim]) -> bool:
    """docs/messaging.md: one phone number or email for different people in one crime. Only rows the import
    took count: a refused row (a Y/N answer that is not one) is reported to the data officer, not loaded."""
    for other in crime:
        if other is v or _person(other.name) == _person(v.name) or not _row_is_valid(other):
            continue
        if v.phone and _phone_key(v.phone) == _phone_key(other.phone):
            return True
        if v.email and v.email.lower() == other.email.lower():
            return True
    return False


def _crime_reference(run_no: int, crime: int) -> str:
    return f"23/{run_no:05d}{crime}/26"


def _rows(generated: list[list[Victim]], run_no: int) -> list[dict[str, str]]:
    rows = []
    for c, crime in enumerate(generated):
        for i, v in enumerate(crime):
            rows.append(
                row(
                    crime_reference=_crime_reference(run_no, c),
                    victim_reference=f"V{i + 1}",
                    first_name=v.name[0],
                    last_name=v.name[1],
                    date_of_birth=v.dob.isoformat() if v.dob else "",
                    phone=v.phone,
                    email=v.email,
                    offence_group=v.offence,
                    flags=";".join(v.flags),
                    contact_permitted=v.contact_permitted,
                    safe_to_text=v.safe_to_text,
                    safe_to_email=v.safe_to_email,
                    consent_to_share=v.consent,
                )
            )
    return rows


RUNS = {"n": 0}


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=crimes)
def test_no_support_offer_from_the_import_breaks_a_rule(generated: list[list[Victim]]) -> None:
    wipe_imports()  # each example is a fresh night: no "offered in the last 30 days" from an earlier one
    RUNS["n"] += 1
    run(_rows(generated, RUNS["n"]))
    records = {
        (r.crime_reference, r.victim_reference): r
        for r in PoliceVictimRecord.objects.select_related("offer").order_by("crime_reference", "victim_reference")
    }
    imported = 0
    for c, crime in enumerate(generated):
        for i, v in enumerate(crime):
            valid = _row_is_valid(v)
            rec: Any = records.get((_crime_reference(RUNS["n"], c), f"V{i + 1}"))
            assert (rec is not None) == valid, "a row with a Y/N answer that is not one is refused, and only then"
            if rec is None:
                continue
            imported += 1
            offer: Message | None = rec.offer
            assert offer is not None
            sent = offer.status != MessageStatus.WITHHELD
            if not sent:
                assert offer.to == "" and offer.withheld_reasons
                continue
            where = f"crime {c} victim {i + 1}: {v}"
            if offer.channel == "sms":
                assert explicit_yes(v.safe_to_text), where
            if offer.channel == "email":
                assert explicit_yes(v.safe_to_email), where
            assert offer.channel in ("sms", "email"), where
            assert v.dob is None or age_on_processing_day(v.dob) >= 16, where
            if v.offence in SEXUAL_OFFENCES or SENSITIVE_FLAGS & set(v.flags):
                assert explicit_yes(v.contact_permitted), where
            assert not _shares_with_another_person(v, crime), where
    assert len(records) == imported
    assert Message.objects.count() == imported  # one offer decision per imported victim, nothing else

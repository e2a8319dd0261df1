"""Safe-contact rules for support offers. Each rule is a named function of the facts about one person;
it returns the reason code that forbids contact, or None. `offer_plan` applies all of them and picks a
channel. docs/messaging.md explains each rule.

Y/N answers arrive as "Y", "N" or "" (not stated). Only an explicit "Y" opens a channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from onedoor.messaging.models import Channel

UK = ZoneInfo("Europe/London")
QUIET_STARTS = time(21, 0)
QUIET_ENDS = time(8, 0)
MIN_DIRECT_AGE = 16
OFFER_INTERVAL = timedelta(days=30)


class Reason:
    CONTACT_NOT_PERMITTED = "contact_not_permitted"
    SENSITIVE_NEEDS_EXPLICIT_YES = "sensitive_needs_explicit_yes"
    NOT_SAFE_TO_TEXT = "not_safe_to_text"
    NOT_SAFE_TO_EMAIL = "not_safe_to_email"
    NO_MOBILE_NUMBER = "no_mobile_number"
    NO_EMAIL_ADDRESS = "no_email_address"
    UNDER_16 = "under_16"
    SHARED_CONTACT_IN_CRIME = "shared_contact_in_crime"
    OFFER_SENT_RECENTLY = "offer_sent_recently"
    CONTACT_INVALID = "contact_invalid"
    PROCESSING_RESTRICTED = "processing_restricted"


REASON_LABELS = {
    Reason.CONTACT_NOT_PERMITTED: "The police recorded that OneDoor may not contact this person",
    Reason.SENSITIVE_NEEDS_EXPLICIT_YES: (
        "Sexual offence, domestic abuse or exploitation: contact needs an explicit yes, and none was recorded"
    ),
    Reason.NOT_SAFE_TO_TEXT: "Not recorded as safe to text",
    Reason.NOT_SAFE_TO_EMAIL: "Not recorded as safe to email",
    Reason.NO_MOBILE_NUMBER: "No UK mobile number",
    Reason.NO_EMAIL_ADDRESS: "No email address",
    Reason.UNDER_16: "Under 16: no direct message",
    Reason.SHARED_CONTACT_IN_CRIME: "The same number or email belongs to different people in this crime",
    Reason.OFFER_SENT_RECENTLY: "A support offer went to this person in the last 30 days",
    Reason.CONTACT_INVALID: "This number or email failed permanently before",
    Reason.PROCESSING_RESTRICTED: "The person asked for processing to be restricted (UK GDPR Article 18)",
}


@dataclass(frozen=True)
class ContactFacts:
    age: int | None
    sensitive: bool
    contact_permitted: str
    safe_to_text: str
    safe_to_email: str
    mobile: str  # E.164 UK mobile, or ""
    email: str
    shared_contact_in_crime: bool = False
    offered_recently: bool = False
    invalid_channels: frozenset[str] = field(default_factory=frozenset)
    restricted: bool = False


def rule_processing_restricted(f: ContactFacts) -> str | None:
    """No message to a person whose processing is restricted (onedoor.privacy)."""
    return Reason.PROCESSING_RESTRICTED if f.restricted else None


# -- person rules: they stop every channel ----------------------------------------------------------


def rule_contact_permitted(f: ContactFacts) -> str | None:
    """No message when contact_permitted is N."""
    return Reason.CONTACT_NOT_PERMITTED if f.contact_permitted == "N" else None


def rule_sensitive_needs_explicit_yes(f: ContactFacts) -> str | None:
    """Sexual offences, domestic abuse and exploitation: contact only on an explicit Y, never by default."""
    return Reason.SENSITIVE_NEEDS_EXPLICIT_YES if f.sensitive and f.contact_permitted != "Y" else None


def rule_no_direct_message_under_16(f: ContactFacts) -> str | None:
    return Reason.UNDER_16 if f.age is not None and f.age < MIN_DIRECT_AGE else None


def rule_shared_contact_in_crime(f: ContactFacts) -> str | None:
    """The "perpetrator's number" problem: one number or email for different people in one crime."""
    return Reason.SHARED_CONTACT_IN_CRIME if f.shared_contact_in_crime else None


def rule_one_offer_in_30_days(f: ContactFacts) -> str | None:
    return Reason.OFFER_SENT_RECENTLY if f.offered_recently else None


PERSON_RULES: tuple[Callable[[ContactFacts], str | None], ...] = (
    rule_processing_restricted,
    rule_contact_permitted,
    rule_sensitive_needs_explicit_yes,
    rule_no_direct_message_under_16,
    rule_shared_contact_in_crime,
    rule_one_offer_in_30_days,
)


# -- channel rules ------------------------------------------------------------------------------------


def rule_sms_needs_safe_to_text(f: ContactFacts) -> str | None:
    if not f.mobile:
        return Reason.NO_MOBILE_NUMBER
    if f.safe_to_text != "Y":
        return Reason.NOT_SAFE_TO_TEXT
    if Channel.SMS in f.invalid_channels:
        return Reason.CONTACT_INVALID
    return None


def rule_email_needs_safe_to_email(f: ContactFacts) -> str | None:
    if not f.email:
        return Reason.NO_EMAIL_ADDRESS
    if f.safe_to_email != "Y":
        return Reason.NOT_SAFE_TO_EMAIL
    if Channel.EMAIL in f.invalid_channels:
        return Reason.CONTACT_INVALID
    return None


@dataclass(frozen=True)
class OfferPlan:
    channel: str | None  # None: withheld
    reasons: tuple[str, ...]  # why withheld (empty when a channel was chosen)


def offer_plan(f: ContactFacts) -> OfferPlan:
    """Text first (most people read texts), email otherwise; nothing if any person rule forbids it."""
    person = tuple(r for r in (rule(f) for rule in PERSON_RULES) if r)
    if person:
        return OfferPlan(None, person)
    sms = rule_sms_needs_safe_to_text(f)
    if sms is None:
        return OfferPlan(Channel.SMS, ())
    email = rule_email_needs_safe_to_email(f)
    if email is None:
        return OfferPlan(Channel.EMAIL, ())
    return OfferPlan(None, (sms, email))


def quiet_hours_end(moment: datetime) -> datetime | None:
    """No SMS between 21:00 and 08:00 UK time: the next 08:00 when `moment` is inside, else None."""
    local = moment.astimezone(UK)
    if QUIET_ENDS <= local.time() < QUIET_STARTS:
        return None
    day = local.date() if local.time() < QUIET_ENDS else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_ENDS, tzinfo=UK)

"""The codes of the facts-b facts in the fact tables, and what each counts. Each is written by one rollup."""

from __future__ import annotations

from onedoor.casework.models import Measure as Instrument
from onedoor.insights import dimensions as dims

# Referrals received, by the day received (rollup "b_received").
RECEIVED = "received"  # every referral received


def received_by(characteristic: str) -> str:
    """Referrals received, with the referral's category of `characteristic` as the fact's category."""
    return f"received.{characteristic}"


# The fields whose recording data quality measures: field code -> words for the definition.
RECORDED_FIELDS = {
    "age": "age (or date of birth)",
    "district": "district (where the person lives)",
    "offence_group": "offence group",
    "postcode": "postcode",
    "contact": "a phone number or an email address",
    "preferred_language": "preferred language",
    dims.SEX: "sex",
    dims.GENDER_IDENTITY: "gender identity",
    dims.ETHNICITY: "ethnicity",
    dims.DISABILITY: "disability",
    dims.RELIGION: "religion or belief",
    dims.SEXUAL_ORIENTATION: "sexual orientation",
}


def recorded(field: str) -> str:
    """Referrals received with `field` recorded ("prefer not to say" is recorded: the person was asked)."""
    return f"recorded.{field}"


# Police-transfer referrals, category = whole working days from the crime's recording to the referral.
POLICE_DAYS = "police_days"
POLICE_WITHIN = "police_within"  # of those, made within POLICE_REFERRAL_DAYS (2) working days

# First contacts, by the day of first contact (rollup "b_contacted").
CONTACT_DAYS = "contact_days"  # category = whole working days from receipt to first contact
CONTACT_WITHIN = "contact_within"  # first contacts made by the due date the service's target set

# Support started, by the day (rollup "b_engaged").
ENGAGED = "engaged"


def engaged_by(characteristic: str) -> str:
    return f"engaged.{characteristic}"


# Closures, by the day closed (rollup "b_closed").
CLOSED = "closed"


def closed_by(characteristic: str) -> str:
    return f"closed.{characteristic}"


COPE = "cope"  # category = the answer to "better able to cope and recover?" (casework's Coped codes)
NEED_IDENTIFIED = "need_identified"  # category = need slug rated low, medium or high in an assessment
NEED_IMPROVED = "need_improved"  # category = need slug identified and recorded as improved at closure
CLOSED_AFTER_CONTACT = "closed_contacted"  # closures of cases where first contact had been made
ASSESSED = "closed_assessed"  # ... of those, with at least one needs assessment
ENHANCED_CONSIDERED = "closed_er_considered"  # ... of those, with the Enhanced Rights decision recorded
ENHANCED_APPLIED = "closed_er_applied"  # ... of those, where an assessment recorded Enhanced Rights as applying

INSTRUMENTS = tuple(Instrument.values)  # phq9, gad7, core10
SCORE_CLASSES = ("paired", "improved", "deteriorated", "caseness", "recovered", "reliable_recovery")


def scores(instrument: str, kind: str) -> str:
    """Closures of cases with two or more scores on `instrument`, by what the first and last show."""
    return f"scores.{instrument}.{kind}"


# Waiting-list entries that ended, by the day they ended (rollup "b_waiting"); category = working days.
WAIT_DAYS = "wait_days"

# Feedback, by the day received (rollup "b_feedback"); category = satisfaction 1 to 5.
FEEDBACK = "feedback"

# Referrals overdue for first contact as at the end of a month (rollup "b_overdue"), on the month's last day.
OVERDUE = "overdue"

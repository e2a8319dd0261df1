"""Pure casework rules: safe contact, Victims' Code Enhanced Rights, waiting estimates, dates."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

ADULT_AGE = 18
REOPEN_WITHIN_MONTHS = 3
HANDOVER_WINDOW_DAYS = 28  # both services see the case until this many days after the handover meeting
WAITING_THROUGHPUT_DAYS = 90  # the recent period the estimated wait is computed from


def contact_refusal(*, referral: Any, channel: str, outcome: str) -> str | None:
    """Why this contact must not be made or logged, from the referral's safe-contact answers; None if it may."""
    if channel == "phone" and not referral.safe_to_call:
        return "The referral says it is not safe to phone this person."
    if channel == "text" and not referral.safe_to_text:
        return "The referral says it is not safe to text this person."
    if channel == "email" and not referral.safe_to_email:
        return "The referral says it is not safe to email this person."
    if outcome == "voicemail_left" and not referral.safe_to_leave_voicemail:
        return "The referral says it is not safe to leave a voicemail for this person."
    return None


def safe_channels(referral: Any) -> list[str]:
    """The ways the referral says it is safe to contact the person, in plain words."""
    return [
        label
        for flag, label in (
            (referral.safe_to_call, "call"),
            (referral.safe_to_text, "text"),
            (referral.safe_to_email, "email"),
            (referral.safe_to_leave_voicemail, "leave a voicemail"),
        )
        if flag
    ]


def safe_to_message(referral: Any) -> bool:
    """Whether a message (text or email) may be sent to the person at all."""
    return bool((referral.safe_to_text and referral.phone) or (referral.safe_to_email and referral.email))


def enhanced_rights_basis(*, age: int | None, offence_enhanced: bool, flags: list[tuple[str, str, bool]]) -> list[str]:
    """The Victims' Code Enhanced Rights groups the referral puts the person in. `flags` are
    (slug, name, enhanced_rights) triples."""
    basis: list[str] = []
    if age is not None and age < ADULT_AGE:
        basis.append("Vulnerable victim: under 18")
    if offence_enhanced:
        basis.append("Victim of the most serious crime")
    for slug, name, enhanced in flags:
        if slug == "repeat":
            basis.append("Persistently targeted victim")
        elif slug == "vulnerable":
            basis.append("Vulnerable victim")
        elif enhanced:
            basis.append(f"Victim of the most serious crime: {name.lower()}")
    return list(dict.fromkeys(basis))


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unable_to_contact(*, failed_at: list[datetime], max_attempts: int, window_days: int, now: datetime) -> bool:
    """N failed attempts, and M days since the first: the service has tried enough to close."""
    if len(failed_at) < max_attempts:
        return False
    return (now.date() - min(failed_at).date()).days >= window_days


@dataclass(frozen=True)
class WaitEstimate:
    position: int
    weekly_throughput: float
    weeks: float | None  # None when nobody has left the list recently, so no estimate


def estimate_wait(*, position: int, left_recently: int, days: int = WAITING_THROUGHPUT_DAYS) -> WaitEstimate:
    weekly = left_recently * 7 / days
    weeks = round(position / weekly, 1) if weekly > 0 else None
    return WaitEstimate(position=position, weekly_throughput=round(weekly, 2), weeks=weeks)

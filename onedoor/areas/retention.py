"""The area's retention schedule, as data: for each kind of record, how many months it is kept and what then
happens to it. Read here (above every app) so that the public privacy page can state it and
onedoor.privacy can apply it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onedoor.areas.current import area_data

DELETE, ANONYMISE = "delete", "anonymise"


@dataclass(frozen=True)
class Kind:
    label: str
    clock: str


# The kinds of record, in the order the privacy page and the report list them.
KINDS: dict[str, Kind] = {
    "police_record_without_referral": Kind(
        "Police transfer records that led to no referral", "from the time the crime was recorded"
    ),
    "police_record_with_referral": Kind(
        "Police transfer records that led to a referral",
        "from the time the crime was recorded, once the referral is finished",
    ),
    "support_offer_message": Kind("Support offer messages, sent or withheld", "from when the message was made"),
    "signpost_record": Kind(
        "Signpost and gap records (nothing personal but who made them)", "from when they were made"
    ),
    "closed_referral": Kind("Declined, closed and not-engaged referrals", "from the referral's last status change"),
    "case_casework": Kind("Casework of a finished case", "from the referral's last status change"),
    "feedback": Kind("Feedback", "from the day it was received"),
    "audit_log": Kind("The audit log of who saw and changed what", "from when each entry was written"),
    "row_errors": Kind("Errors found in rows of police files", "from the start of the import"),
    "uploaded_files": Kind("Uploaded police files, as held for their import", "from the start of the import"),
}


@dataclass(frozen=True)
class Rule:
    kind: str
    months: int
    action: str

    @property
    def label(self) -> str:
        return KINDS[self.kind].label

    @property
    def clock(self) -> str:
        return KINDS[self.kind].clock

    def describe(self) -> str:
        years, months = divmod(self.months, 12)
        span = " and ".join(
            part
            for part in (
                f"{years} year{'s' if years != 1 else ''}" if years else "",
                f"{months} month{'s' if months != 1 else ''}" if months else "",
            )
            if part
        )
        then = "deleted" if self.action == DELETE else "anonymised (only the counted, non-identifying fields are kept)"
        return f"Kept for {span}, {self.clock}; then {then}."


def schedule(area: dict[str, Any] | None = None) -> list[Rule]:
    """The area's schedule, one rule per kind, in `KINDS` order."""
    entries = (area or area_data())["retention"]
    return [Rule(kind=k, months=int(entries[k]["months"]), action=str(entries[k]["action"])) for k in KINDS]

"""How urgent a referral is within its service, and why: the area's priority rules (`priority` in the
area file, docs/routing.md), applied to a route input.

Risk to life or immediate danger is always Urgent, the top of every queue, whatever the area sets: the
urgent-referral work builds on that. Otherwise each signal that holds adds its weight, and a total of at
least `high_from` is High; anything less is Standard. Every signal that holds gives its reason, and the
reasons are stored with the referral and shown on the queue, so a priority is never a bare word.

The signals an area can weigh:
- `child`: under 18 at referral;
- `flag`: one flag (`flag`: its slug), for example `repeat` or `vulnerable`;
- `enhanced_rights`: the offence group or a flag gives Enhanced Rights under the Victims' Code;
- `crime_reported`: the crime was reported to the police no more than `within_days` days ago (a fresh
  crime, when the need for practical and emotional support is greatest), or, with `after_days`, more than
  that many days ago (someone who has already waited).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from onedoor.referrals.models import Priority

if TYPE_CHECKING:
    from onedoor.referrals.routing import RouteInput

ADULT_AGE = 18
SIGNAL_KINDS = ("child", "flag", "enhanced_rights", "crime_reported")
URGENT_REASON = "Risk to life or immediate danger"


@dataclass(frozen=True)
class Signal:
    kind: str
    weight: int
    reason: str
    flag: str | None = None
    within_days: int | None = None
    after_days: int | None = None

    def holds(
        self, inp: RouteInput, *, today: date, enhanced_offences: Mapping[str, bool], enhanced_flags: Mapping[str, bool]
    ) -> bool:
        if self.kind == "child":
            return inp.age is not None and inp.age < ADULT_AGE
        if self.kind == "flag":
            return self.flag in inp.flags
        if self.kind == "enhanced_rights":
            offence = inp.offence_group is not None and bool(enhanced_offences.get(inp.offence_group))
            return offence or any(enhanced_flags.get(f) for f in inp.flags)
        if self.kind == "crime_reported":
            if inp.crime_reported_on is None:
                return False
            days = (today - inp.crime_reported_on).days
            if self.within_days is not None and days > self.within_days:
                return False
            return not (self.after_days is not None and days <= self.after_days)
        raise ValueError(f"unknown priority signal {self.kind!r}; allowed: {', '.join(SIGNAL_KINDS)}")


@dataclass(frozen=True)
class Assessment:
    priority: Priority
    reasons: tuple[str, ...]
    score: int


@dataclass(frozen=True)
class PriorityRules:
    high_from: int
    signals: tuple[Signal, ...]
    urgent_reason: str = URGENT_REASON

    @classmethod
    def from_area(cls, data: Mapping[str, Any] | None) -> PriorityRules:
        """The area file's `priority` object (validated by the area schema), or the rules OneDoor had before
        areas set their own when the file has none: any one signal makes a referral High."""
        if not data:
            return cls.before_areas_set_them()
        return cls(
            high_from=int(data["high_from"]),
            urgent_reason=str(data.get("urgent_reason", URGENT_REASON)),
            signals=tuple(
                Signal(
                    kind=s["signal"],
                    weight=int(s["weight"]),
                    reason=s["reason"],
                    flag=s.get("flag"),
                    within_days=s.get("within_days"),
                    after_days=s.get("after_days"),
                )
                for s in data.get("signals", [])
            ),
        )

    @classmethod
    def before_areas_set_them(cls) -> PriorityRules:
        return cls(
            high_from=1,
            signals=(
                Signal("child", 1, "Child (under 18)"),
                Signal("flag", 1, "Vulnerable", flag="vulnerable"),
                Signal("flag", 1, "Repeat victim", flag="repeat"),
                Signal("flag", 1, "Hate crime", flag="hate"),
                Signal("enhanced_rights", 1, "Enhanced Rights under the Victims' Code"),
            ),
        )

    def assess(
        self, inp: RouteInput, *, today: date, enhanced_offences: Mapping[str, bool], enhanced_flags: Mapping[str, bool]
    ) -> Assessment:
        held = [
            s
            for s in self.signals
            if s.holds(inp, today=today, enhanced_offences=enhanced_offences, enhanced_flags=enhanced_flags)
        ]
        reasons = tuple(dict.fromkeys(s.reason for s in held))
        score = sum(s.weight for s in held)
        if inp.urgent or inp.risk_to_life:
            return Assessment(Priority.URGENT, (self.urgent_reason, *reasons), score)
        return Assessment(Priority.HIGH if score >= self.high_from else Priority.STANDARD, reasons, score)

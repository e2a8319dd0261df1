"""Routing: which service a referral goes to, and why. The rules are data (RoutingRule rows); this
module only applies them. Professional referrals, self-referrals, the police overnight file and the
public find-support journey all call `RoutingTable.decide`, so there is one copy of the rules.

How a decision is made (docs/routing.md says why):
1. Every rule in force on the day whose conditions all hold is a match.
   Rules of the lowest precedence ("anything else") count only when no other rule matched.
2. The first match, by precedence then order, decides the primary service. If that rule signposts
   (for example domestic abuse, commissioned separately) or only offers support (the police file's
   other offences), there is no primary service.
3. Every other matching rule that refers adds its service as a secondary service.
4. Without consent or a recorded lawful basis, nothing is referred: the decision is signpost-only,
   listing the services that would have fitted.
5. When nothing matches a case that is in scope, that is a gap in service.
6. "Show first" rules take no part in the decision: they only say which services lead the list a person sees
   on the public pages (children's services for under-18s, for example), with words for the person.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from onedoor.areas.current import area_data
from onedoor.core.models import District, Flag, NeedCategory, OffenceGroup
from onedoor.referrals.models import Precedence, Priority, RoutingRule, RuleOutcome, Source
from onedoor.referrals.priority import ADULT_AGE, Assessment, PriorityRules


class RoutingInputError(ValueError):
    """A route input that cannot be routed. `field` names the input key; the message says what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RouteInput:
    age: int | None
    offence_group: str | None
    flags: frozenset[str]
    district: str | None
    consent: bool
    source: str
    needs: frozenset[str] = frozenset()
    urgent: bool = False
    risk_to_life: bool = False
    crime_reported_on: date | None = None


@dataclass(frozen=True)
class Decision:
    primary: str | None
    secondary: tuple[str, ...]
    priority: Priority
    reason: str
    gap: bool
    signpost: tuple[str, ...]
    rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    priority_reasons: tuple[str, ...] = ()

    @property
    def refers(self) -> bool:
        return self.primary is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "primary": self.primary,
            "secondary": list(self.secondary),
            "priority": Priority(self.priority).name.lower(),
            "priority_reasons": list(self.priority_reasons),
            "reason": self.reason,
            "gap": self.gap,
            "signpost": list(self.signpost),
        }


@dataclass(frozen=True)
class CompiledRule:
    key: str
    precedence: int
    order: int
    outcome: str
    service: str | None
    signpost: tuple[str, ...]
    reason: str
    note: str
    public_reason: str = ""
    offence_groups: frozenset[str] = frozenset()
    requires_offence_group: bool = False
    excluded_offence_groups: frozenset[str] = frozenset()
    flags_any: frozenset[str] = frozenset()
    flags_all: frozenset[str] = frozenset()
    flags_none: frozenset[str] = frozenset()
    needs_any: frozenset[str] = frozenset()
    min_age: int | None = None
    max_age: int | None = None
    sources: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()

    def matches(self, inp: RouteInput) -> bool:
        if self.sources and inp.source not in self.sources:
            return False
        if self.requires_offence_group and inp.offence_group is None:
            return False
        if self.offence_groups and inp.offence_group not in self.offence_groups:
            return False
        if inp.offence_group is not None and inp.offence_group in self.excluded_offence_groups:
            return False
        if self.flags_any and not (self.flags_any & inp.flags):
            return False
        if not self.flags_all <= inp.flags:
            return False
        if self.flags_none & inp.flags:
            return False
        if self.needs_any and not (self.needs_any & inp.needs):
            return False
        if self.min_age is not None and (inp.age is None or inp.age < self.min_age):
            return False
        if self.max_age is not None and (inp.age is None or inp.age > self.max_age):
            return False
        return not (self.districts and inp.district not in self.districts)


def _slugs(items: Iterable[Any], attr: str = "slug") -> frozenset[str]:
    return frozenset(getattr(i, attr) for i in items)


@dataclass
class RoutingTable:
    """The rules in force on one day, with the vocabularies inputs are checked against. Load it once
    and reuse it for many decisions (the police import routes thousands of rows with one table)."""

    rules: tuple[CompiledRule, ...]
    offence_groups: Mapping[str, bool]  # slug -> enhanced rights
    flags: Mapping[str, bool]  # slug -> enhanced rights
    districts: frozenset[str]
    needs: frozenset[str]
    service_names: Mapping[str, str] = field(default_factory=dict)
    priority_rules: PriorityRules = field(default_factory=PriorityRules.before_areas_set_them)
    day: date | None = None
    _cuts: list[int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, *, on: date | None = None) -> RoutingTable:
        day = on or timezone.localdate()
        rows = (
            RoutingRule.objects.filter(effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .select_related("service")
            .prefetch_related(
                "offence_groups",
                "excluded_offence_groups",
                "flags_any",
                "flags_all",
                "flags_none",
                "needs_any",
                "districts",
                "signpost",
            )
            .order_by("precedence", "order", "key")
        )
        names: dict[str, str] = {}
        compiled = []
        for r in rows:
            for s in [r.service, *r.signpost.all()]:
                if s is not None:
                    names[s.slug] = s.short_name or s.name
            compiled.append(
                CompiledRule(
                    key=r.key,
                    precedence=r.precedence,
                    order=r.order,
                    outcome=r.outcome,
                    service=r.service.slug if r.service else None,
                    signpost=tuple(s.slug for s in r.signpost.all()),
                    reason=r.reason,
                    note=r.note,
                    public_reason=r.public_reason,
                    offence_groups=_slugs(r.offence_groups.all()),
                    requires_offence_group=r.requires_offence_group,
                    excluded_offence_groups=_slugs(r.excluded_offence_groups.all()),
                    flags_any=_slugs(r.flags_any.all()),
                    flags_all=_slugs(r.flags_all.all()),
                    flags_none=_slugs(r.flags_none.all()),
                    needs_any=_slugs(r.needs_any.all()),
                    min_age=r.min_age,
                    max_age=r.max_age,
                    sources=frozenset(r.sources or []),
                    districts=_slugs(r.districts.all(), "gss_code"),
                )
            )
        return cls(
            rules=tuple(compiled),
            offence_groups=dict(OffenceGroup.objects.values_list("slug", "enhanced_rights")),
            flags=dict(Flag.objects.values_list("slug", "enhanced_rights")),
            districts=frozenset(District.objects.values_list("gss_code", flat=True)),
            needs=frozenset(NeedCategory.objects.values_list("slug", flat=True)),
            service_names=names,
            priority_rules=PriorityRules.from_area(area_data().get("priority")),
            day=day,
        )

    # -- input -----------------------------------------------------------------------------------

    def parse(self, data: Mapping[str, Any]) -> RouteInput:
        """Check a JSON-like mapping (the `route --json` input) and build a RouteInput."""
        if not isinstance(data, Mapping):
            raise RoutingInputError("input", "each input must be a JSON object")
        allowed_keys = {
            "age",
            "offence_group",
            "flags",
            "district",
            "consent",
            "source",
            "needs",
            "urgent",
            "risk_to_life",
            "crime_reported_on",
        }
        unknown = sorted(set(data) - allowed_keys)
        if unknown:
            raise RoutingInputError(unknown[0], f"unknown key; allowed keys are {', '.join(sorted(allowed_keys))}")
        age = data.get("age")
        if age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130):
            raise RoutingInputError("age", f"must be a whole number from 0 to 130, or null; got {age!r}")
        offence = data.get("offence_group")
        if offence is not None and offence not in self.offence_groups:
            raise RoutingInputError(
                "offence_group", f"unknown slug {offence!r}; allowed: {', '.join(self.offence_groups)}, or null"
            )
        flags = data.get("flags", [])
        if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
            raise RoutingInputError("flags", "must be a list of flag slugs")
        for f in flags:
            if f not in self.flags:
                raise RoutingInputError("flags", f"unknown slug {f!r}; allowed: {', '.join(self.flags)}")
        needs = data.get("needs", [])
        if not isinstance(needs, list) or any(n not in self.needs for n in needs):
            raise RoutingInputError("needs", f"must be a list of need slugs from: {', '.join(sorted(self.needs))}")
        district = data.get("district")
        if district is not None and district not in self.districts:
            raise RoutingInputError(
                "district", f"unknown GSS code {district!r}; allowed: {', '.join(sorted(self.districts))}, or null"
            )
        consent = data.get("consent", False)
        if not isinstance(consent, bool):
            raise RoutingInputError("consent", f"must be true or false; got {consent!r}")
        source = data.get("source", Source.PROFESSIONAL.value)
        if source not in Source.values:
            raise RoutingInputError("source", f"unknown source {source!r}; allowed: {', '.join(Source.values)}")
        for key in ("urgent", "risk_to_life"):
            if not isinstance(data.get(key, False), bool):
                raise RoutingInputError(key, "must be true or false")
        reported = data.get("crime_reported_on")
        try:
            reported_on = date.fromisoformat(reported) if reported is not None else None
        except (TypeError, ValueError):
            raise RoutingInputError(
                "crime_reported_on", f"must be a date as YYYY-MM-DD, or null; got {reported!r}"
            ) from None
        return RouteInput(
            age=age,
            offence_group=offence,
            flags=frozenset(flags),
            district=district,
            consent=consent,
            source=source,
            needs=frozenset(needs),
            urgent=bool(data.get("urgent", False)),
            risk_to_life=bool(data.get("risk_to_life", False)),
            crime_reported_on=reported_on,
        )

    # -- decision --------------------------------------------------------------------------------

    def assess_priority(self, inp: RouteInput) -> Assessment:
        """The priority within the service and its reasons, by the area's rules (onedoor.referrals.priority)."""
        return self.priority_rules.assess(
            inp,
            today=self.day or timezone.localdate(),
            enhanced_offences=self.offence_groups,
            enhanced_flags=self.flags,
        )

    def priority(self, inp: RouteInput) -> Priority:
        return self.assess_priority(inp).priority

    def name(self, slug: str) -> str:
        return self.service_names.get(slug, slug)

    def decision_key(self, inp: RouteInput) -> RouteInput:
        """An input that gets the same decision as `inp`, for remembering decisions per distinct input: the
        age moves to the lowest age of its band, the bands being cut wherever a rule's age limit or the adult
        age can change the outcome. Every other part of the input is kept as it is."""
        if inp.age is None:
            return inp
        cuts = self._age_cuts()
        i = bisect_right(cuts, inp.age)
        low = cuts[i - 1] if i else 0
        return inp if low == inp.age else replace(inp, age=low)

    def _age_cuts(self) -> list[int]:
        # The first age at which `age < min_age`, `age > max_age` or `age < ADULT_AGE` changes its answer.
        cuts = self._cuts
        if cuts is None:
            found = {ADULT_AGE}
            for r in self.rules:
                if r.min_age is not None:
                    found.add(r.min_age)
                if r.max_age is not None:
                    found.add(r.max_age + 1)
            cuts = sorted(found)
            self._cuts = cuts
        return cuts

    def show_first(self, inp: RouteInput) -> tuple[CompiledRule, ...]:
        """The "show first" rules that match: in order, the services that lead the person's list."""
        return tuple(r for r in self.rules if r.outcome == RuleOutcome.SHOW_FIRST and r.matches(inp))

    def decide(self, inp: RouteInput) -> Decision:
        matched = [r for r in self.rules if r.outcome != RuleOutcome.SHOW_FIRST and r.matches(inp)]
        if any(r.precedence != Precedence.FALLBACK for r in matched):
            # "Anything else" rules apply only when no other rule matched.
            matched = [r for r in matched if r.precedence != Precedence.FALLBACK]
        assessed = self.assess_priority(inp)
        priority, why = assessed.priority, assessed.reasons
        keys = tuple(r.key for r in matched)
        signpost = _unique(s for r in matched for s in r.signpost)
        notes = _unique(r.note for r in matched if r.note)
        referring = [r for r in matched if r.outcome == RuleOutcome.REFER]

        if not matched:
            in_scope = inp.offence_group is not None or bool(inp.flags)
            if in_scope:
                reason = (
                    "No commissioned service takes this case. This is a gap in service, and it has been "
                    "counted for the commissioner. Give the person the national helplines in the meantime."
                )
            else:
                reason = "There is not enough to route on: give the offence group or at least one flag."
            return Decision(None, (), priority, reason, in_scope, signpost, keys, notes, why)

        if not inp.consent:
            would_fit = _unique(r.service for r in referring if r.service)
            listed = _unique([*would_fit, *signpost])
            reason = (
                (
                    "No consent to share, and no lawful basis for sharing without it, was recorded, so OneDoor "
                    "cannot refer. Give the person these contacts so they can get in touch themselves: "
                    + ", ".join(self.name(s) for s in listed)
                    + "."
                )
                if listed
                else "No consent to share, and no lawful basis, was recorded, so OneDoor cannot refer."
            )
            return Decision(None, (), priority, reason, False, listed, keys, notes, why)

        first = matched[0]
        primary = first.service if first.outcome == RuleOutcome.REFER else None
        secondary = _unique(r.service for r in referring if r.service and r.service != primary)
        parts = [first.reason, *notes]
        if secondary and primary:
            parts.append("Also relevant: " + ", ".join(self.name(s) for s in secondary) + ".")
        return Decision(primary, secondary, priority, " ".join(_unique(parts)), False, signpost, keys, notes, why)

    def route(self, data: Mapping[str, Any]) -> Decision:
        return self.decide(self.parse(data))


def _unique(items: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for i in items:
        if i:
            seen.setdefault(i, None)
    return tuple(seen)

"""The public find-support journey: what happened, in everyday words, mapped to the offence groups and
flags the routing rules use. The rules themselves are not copied here: results come from
`RoutingTable.decide`, the same call professional referrals make."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onedoor.directory import selectors
from onedoor.directory.models import Service
from onedoor.referrals.models import Source
from onedoor.referrals.routing import ADULT_AGE, Decision, RouteInput, RoutingTable


@dataclass(frozen=True)
class Situation:
    key: str
    label: Any  # a lazily translated string
    offence_group: str | None = None
    flags: tuple[str, ...] = ()
    child_flags: tuple[str, ...] | None = None  # used instead of `flags` under 18

    def flags_for(self, age: int | None) -> frozenset[str]:
        if self.child_flags is not None and age is not None and age < ADULT_AGE:
            return frozenset(self.child_flags)
        return frozenset(self.flags)


SITUATIONS: tuple[Situation, ...] = (
    Situation("break-in", _("Someone broke into my home"), "burglary-residential"),
    Situation("attacked", _("Someone attacked me or hurt me"), "violence-with-injury"),
    Situation("threatened", _("Someone threatened me or made me afraid"), "violence-without-injury"),
    Situation("stalking", _("Someone keeps following me, contacting me or harassing me"), "stalking-harassment"),
    Situation("sexual", _("Someone touched me sexually without my consent"), "other-sexual-offences"),
    Situation("rape", _("Someone raped me, or made me have sex when I did not want to"), "rape"),
    Situation(
        "sexual-exploitation",
        _("Someone pressured or tricked me into sexual things, for example for gifts, money, alcohol or drugs"),
        None,
        ("sexual-exploitation",),
        ("child-sexual-exploitation",),
    ),
    Situation(
        "criminal-exploitation",
        _("Someone is making me carry or sell drugs, or do other crimes"),
        None,
        ("modern-slavery",),
        ("child-criminal-exploitation",),
    ),
    Situation("forced-work", _("I'm being made to work and can't leave"), None, ("modern-slavery",)),
    Situation(
        "hate",
        _("I was targeted because of who I am, for example my race, religion, disability, sexuality or gender"),
        None,
        ("hate",),
    ),
    Situation(
        "home-abuse",
        _("A partner, ex-partner or family member hurts, frightens or controls me"),
        None,
        ("domestic-abuse",),
    ),
    Situation("robbed", _("Someone stole from me or robbed me"), "robbery-personal"),
    Situation("scam", _("I was scammed or cheated out of money, online or in person"), "fraud"),
    Situation("hacked", _("Someone got into my phone, computer or online accounts"), "computer-misuse"),
    Situation("damage", _("Someone damaged my home, car or things, or set fire to them"), "criminal-damage-arson"),
    Situation("nuisance", _("People keep causing trouble or frightening me near my home"), "anti-social-behaviour"),
    Situation("killed", _("Someone close to me was killed"), "homicide"),
    Situation("road", _("I was hurt, or someone close to me died, in a road crash"), None, ("road-traffic-collision",)),
    Situation("other", pgettext_lazy("what happened", "Something else"), "misc-crimes-against-society"),
)
SITUATION_BY_KEY = {s.key: s for s in SITUATIONS}


@dataclass
class Result:
    service: Service
    why: str = ""
    open_now: bool | None = None


@dataclass
class FindSupportResults:
    decision: Decision
    first: list[Result] = field(default_factory=list)
    others: list[Result] = field(default_factory=list)
    gap: bool = False


def route_input(*, situation: Situation, age: int | None, district: str | None, needs: frozenset[str]) -> RouteInput:
    """What the journey's answers mean to the routing rules. The person is choosing to look for help,
    so the decision is made as for a self-referral they agree to."""
    return RouteInput(
        age=age,
        offence_group=situation.offence_group,
        flags=situation.flags_for(age),
        district=district,
        consent=True,
        source=Source.SELF,
        needs=needs,
    )


def find_support(
    *,
    situation: Situation,
    age: int | None,
    district: str | None,
    needs: frozenset[str],
    table: RoutingTable | None = None,
    now: datetime | None = None,
    limit: int = 12,
) -> FindSupportResults:
    table = table or RoutingTable.load()
    moment = timezone.localtime(now or timezone.now())
    inp = route_input(situation=situation, age=age, district=district, needs=needs)
    decision = table.decide(inp)
    first_rule = next((r for r in table.rules if decision.rules and r.key == decision.rules[0]), None)
    why = first_rule.reason if first_rule else decision.reason

    chosen: list[str] = [decision.primary] if decision.primary else list(decision.signpost)
    also = [*decision.secondary, *(s for s in decision.signpost if s not in chosen)]
    by_slug = {s.slug: s for s in selectors.services_with_details().filter(slug__in=[*chosen, *also])}

    results = FindSupportResults(decision=decision, gap=decision.gap)
    seen: set[str] = set()
    for slug in chosen:
        if slug in by_slug:
            results.first.append(Result(by_slug[slug], why=why, open_now=by_slug[slug].open_at(moment)))
            seen.add(slug)
    for slug in also:
        if slug in by_slug and slug not in seen:
            results.others.append(Result(by_slug[slug], open_now=by_slug[slug].open_at(moment)))
            seen.add(slug)
    crime_terms = {t for t in [inp.offence_group, *inp.flags] if t}
    for terms in (crime_terms, set(needs)):
        matches = selectors.services_matching(terms=terms, age=age, district=district)
        # Local services before national ones; commissioned services the rules did not choose are left out,
        # because the rules decide who they take.
        matches.sort(key=lambda s: (s.national, s.name))
        for s in matches:
            if s.slug in seen or s.is_commissioned or len(results.others) >= limit:
                continue
            results.others.append(Result(s, open_now=s.open_at(moment)))
            seen.add(s.slug)
    return results

"""The public find-support journey: what happened, in everyday words, mapped to the offence groups and
flags the routing rules use. The rules themselves are not copied here: results come from
`RoutingTable.decide`, the same call professional referrals make, and the order the person sees comes from
the rules too ("show first" rules, for example children's services for anyone under 18). The person is shown
each rule's words for them (`public_reason`), never the reason written for referrers."""

from __future__ import annotations

from collections.abc import Iterable
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
    leading: bool = False  # put first by a "show first" rule


@dataclass
class FindSupportResults:
    decision: Decision
    first: list[Result] = field(default_factory=list)
    others: list[Result] = field(default_factory=list)
    gap: bool = False
    # What the "show first" rules tell the person (for children: what a service may have to share).
    notes: list[str] = field(default_factory=list)


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
    why = first_rule.public_reason if first_rule else ""
    leading_rules = table.show_first(inp)
    leading = _unique_slugs(s for r in leading_rules for s in r.signpost)

    # The chosen service leads; then the services the "show first" rules name; then, when nothing is referred,
    # the rules' signposts. Services named by a rule are shown whatever their listed ages: the rule says so.
    chosen = [decision.primary, *leading] if decision.primary else list(_unique_slugs([*leading, *decision.signpost]))
    also = [*decision.secondary, *(s for s in decision.signpost if s not in chosen)]
    by_slug = {s.slug: s for s in selectors.services_with_details().filter(slug__in=[*chosen, *also])}

    results = FindSupportResults(decision=decision, gap=decision.gap)
    results.notes = list(_unique_slugs(r.public_reason for r in leading_rules if r.public_reason))
    seen: set[str] = set()
    for slug in chosen:
        if slug in by_slug and slug not in seen:
            service = by_slug[slug]
            is_leading = slug in leading and slug != decision.primary
            # The rule's words for the person go with the service the rule chose (or its first signpost).
            reason = "" if is_leading else why
            why = "" if reason else why
            results.first.append(Result(service, why=reason, open_now=service.open_at(moment), leading=is_leading))
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


def _unique_slugs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))

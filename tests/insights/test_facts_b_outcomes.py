"""Outcomes and Victims' Code compliance with exact figures from cases worked through the casework services:
the answer at closure, needs improved by category, reliable change on PHQ-9, GAD-7 and CORE-10 (hand-worked
below from casework's thresholds), satisfaction from feedback, and what the Code asks was done."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import time_machine

from onedoor.accounts.models import User
from onedoor.casework import services as casework
from onedoor.casework.measures import MEASURES as INSTRUMENTS
from onedoor.core.models import NeedCategory
from onedoor.directory.models import Service
from onedoor.directory.services import feedback_link_issue
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, key
from onedoor.insights.periods import month
from onedoor.public.services import feedback_create
from onedoor.referrals.models import Referral
from tests.casework.conftest import all_needs
from tests.insights.facts_b import at, count, percent, refresh

pytestmark = pytest.mark.django_db

SEPTEMBER = month(2025, 9)


def phq9(total: int) -> list[int]:
    """PHQ-9 answers adding up to `total`, with item 9 (the risk item) at 0."""
    answers = [min(3, max(0, total - 3 * i)) for i in range(8)]
    assert sum(answers) == total
    return [*answers, 0]


def _case(accepted_case: Callable[..., Referral], caseworker: User, name: str) -> Referral:
    case = accepted_case(first_name=name)
    casework.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
    return casework.support_start(referral=case, actor=caseworker)


def _scores(case: Referral, caseworker: User, code: str, answers: list[list[int]]) -> None:
    for day, given in enumerate(answers, start=1):
        casework.measure_record(
            referral=case,
            actor=caseworker,
            measure=code,
            stage="review",
            answers=given,
            administered_on=date(2025, 9, day),
        )


def _assess(case: Referral, caseworker: User, levels: dict[str, str], *, enhanced: bool = False) -> None:
    ratings = all_needs()
    ratings.update({slug: (level, "") for slug, level in levels.items()})
    casework.assessment_record(
        referral=case,
        actor=caseworker,
        ratings=ratings,
        risk_to_self="none",
        risk_from_others="none",
        risk_to_others="none",
        enhanced_rights=enhanced,
    )


def _close(case: Referral, caseworker: User, coped: str, improved: tuple[str, ...] = ()) -> None:
    casework.case_close(
        referral=case,
        actor=caseworker,
        reason="support_completed",
        better_able_to_cope=coped,
        needs_improved=NeedCategory.objects.filter(slug__in=improved),
    )


def test_outcomes_at_closure(accepted_case: Callable[..., Referral], caseworker: User) -> None:
    # The thresholds the figures below are worked from, as casework scores them.
    assert (INSTRUMENTS["phq9"].reliable_change, INSTRUMENTS["phq9"].clinical_cutoff) == (6, 10)
    assert (INSTRUMENTS["gad7"].reliable_change, INSTRUMENTS["gad7"].clinical_cutoff) == (4, 8)
    assert (INSTRUMENTS["core10"].reliable_change, INSTRUMENTS["core10"].clinical_cutoff) == (6, 11)
    with time_machine.travel(at(2025, 9, 10), tick=False):
        a, b, c, d, e, f, g = (_case(accepted_case, caseworker, name) for name in "ABCDEFG")
        # PHQ-9, first and last score:
        _scores(a, caseworker, "phq9", [phq9(15), phq9(8)])  # -7: reliable improvement; 15 -> 8 recovered
        _scores(b, caseworker, "phq9", [phq9(12), phq9(9)])  # -3: no reliable change; 12 -> 9 recovered
        _scores(c, caseworker, "phq9", [phq9(4), phq9(11)])  # +7: reliable deterioration; started below 10
        _scores(d, caseworker, "phq9", [phq9(20)])  # one score only: not counted
        _scores(e, caseworker, "phq9", [phq9(20), phq9(10), phq9(13)])  # 20 -> 13: -7, still at or above 10
        _scores(f, caseworker, "gad7", [[2, 2, 2, 2, 1, 1, 0], [1, 1, 1, 1, 1, 0, 0]])  # 10 -> 5: -5, recovered
        # CORE-10 items 2 and 3 are reverse-scored: these answers total 20, then 0.
        _scores(g, caseworker, "core10", [[4, 0, 0, 4, 4, 0, 0, 0, 0, 0], [0, 4, 4, 0, 0, 0, 0, 0, 0, 0]])
        _assess(a, caseworker, {"mental-physical-health": "high", "outlook-attitudes": "medium"}, enhanced=True)
        _assess(b, caseworker, {"mental-physical-health": "low"})
        _close(a, caseworker, "yes", improved=("mental-physical-health", "finance-benefits"))
        _close(b, caseworker, "yes")
        _close(c, caseworker, "partly")
        _close(d, caseworker, "no")
        _close(e, caseworker, "not_asked")
        _close(f, caseworker, "yes")
        _close(g, caseworker, "partly")
    with time_machine.travel(at(2025, 10, 1, 1), tick=False):
        refresh()

    assert count("outcomes.closures", SEPTEMBER) == 7
    # Better able to cope: asked of six (E was not asked); yes from A, B and F; partly from C and G.
    assert count("outcomes.cope_asked", SEPTEMBER) == 6
    assert percent("outcomes.cope_yes_pct", SEPTEMBER) == 50.0
    assert percent("outcomes.cope_partly_pct", SEPTEMBER) == 33.3

    # Needs: mental and physical health identified for A and B, improved for A; outlook identified for A
    # only and not improved; finance marked improved for A but never identified, so not counted.
    health, outlook, finance = (
        key(need=s) for s in ("mental-physical-health", "outlook-attitudes", "finance-benefits")
    )
    by_need = {"by": (dims.NEED,)}
    assert count("outcomes.needs_identified", SEPTEMBER, health, **by_need) == 2
    assert count("outcomes.needs_identified", SEPTEMBER, outlook, **by_need) == 1
    assert count("outcomes.needs_improved", SEPTEMBER, health, **by_need) == 1
    assert count("outcomes.needs_improved", SEPTEMBER, finance, **by_need) == 0
    assert percent("outcomes.needs_improved_pct", SEPTEMBER, health, by=(dims.NEED,)) == 50.0
    assert percent("outcomes.needs_improved_pct", SEPTEMBER, outlook, by=(dims.NEED,)) == 0.0
    assert percent("outcomes.needs_improved_pct", SEPTEMBER, finance, by=(dims.NEED,)) is None  # none identified

    # PHQ-9: A, B, C and E have two or more scores; A and E improved reliably (2 of 4), C deteriorated
    # (1 of 4); A, B and E started at or above 10, and A and B ended below it (2 of 3), A with a reliable
    # improvement too (1 of 3).
    assert count("outcomes.phq9_paired", SEPTEMBER) == 4
    assert percent("outcomes.phq9_improved_pct", SEPTEMBER) == 50.0
    assert percent("outcomes.phq9_deteriorated_pct", SEPTEMBER) == 25.0
    assert count("outcomes.phq9_caseness", SEPTEMBER) == 3
    assert percent("outcomes.phq9_recovered_pct", SEPTEMBER) == 66.7
    assert percent("outcomes.phq9_reliable_recovery_pct", SEPTEMBER) == 33.3
    # GAD-7, F: 10 -> 5 is a reliable improvement (5 >= 4) and a recovery (10 >= 8 > 5).
    assert count("outcomes.gad7_paired", SEPTEMBER) == 1
    assert percent("outcomes.gad7_reliable_recovery_pct", SEPTEMBER) == 100.0
    # CORE-10, G: 20 -> 0.
    assert percent("outcomes.core10_improved_pct", SEPTEMBER) == 100.0
    assert percent("outcomes.core10_deteriorated_pct", SEPTEMBER) == 0.0

    # Victims' Code: all seven were contacted; A and B had a needs assessment, with the Enhanced Rights
    # decision; A's applied.
    assert count("compliance.closed_after_contact", SEPTEMBER) == 7
    assert percent("compliance.needs_assessed_pct", SEPTEMBER) == 28.6
    assert percent("compliance.enhanced_rights_considered_pct", SEPTEMBER) == 28.6
    assert count("compliance.enhanced_rights_applied", SEPTEMBER) == 1
    # Support started in September for all seven, closed in September: nothing in August or October.
    assert count("equity.engaged", SEPTEMBER) == 7
    assert count("outcomes.closures", month(2025, 10)) == 0


def test_satisfaction_from_feedback() -> None:
    service = Service.objects.get(slug="victim-support")
    with time_machine.travel(at(2025, 9, 10), tick=False):
        for satisfaction in (5, 2):
            link = feedback_link_issue(service=service)
            feedback_create(satisfaction=satisfaction, could_be_better="", wants_contact=False, link_token=link.token)
        feedback_create(satisfaction=4, could_be_better="", wants_contact=False)  # no link: no service
    refresh()
    assert count("outcomes.feedback", SEPTEMBER) == 3
    assert count("outcomes.satisfied", SEPTEMBER) == 2
    assert percent("outcomes.satisfied_pct", SEPTEMBER) == 66.7
    by_service = {"by": (dims.SERVICE,)}
    assert count("outcomes.feedback", SEPTEMBER, key(service="victim-support"), **by_service) == 2
    assert count("outcomes.feedback", SEPTEMBER, key(service=NOT_RECORDED), **by_service) == 1
    assert count("outcomes.feedback", SEPTEMBER, key(satisfaction="5"), by=(dims.SATISFACTION,)) == 1

"""Priority within a service, by the area's rules (onedoor/referrals/priority.py): properties over any rules
and any input, then what Warwickshire's rules mean for its teams."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from onedoor.areas.files import read_area
from onedoor.referrals.models import Priority, Referral
from onedoor.referrals.priority import PriorityRules, Signal
from onedoor.referrals.routing import RouteInput, RoutingTable
from tests.referrals.factories import make_referral

TODAY = date(2026, 12, 1)
FLAGS = ["vulnerable", "repeat", "hate", "modern-slavery", "cj-substance-use"]
ENHANCED_FLAGS = {"vulnerable": True, "repeat": True, "hate": True, "modern-slavery": True, "cj-substance-use": False}
ENHANCED_OFFENCES = {"rape": True, "burglary-residential": False, "fraud": False}

signals = st.one_of(
    st.builds(Signal, kind=st.just("child"), weight=st.integers(0, 5), reason=st.just("Child")),
    st.builds(
        Signal,
        kind=st.just("flag"),
        weight=st.integers(0, 5),
        reason=st.sampled_from(FLAGS).map(lambda f: f"Flag {f}"),
        flag=st.sampled_from(FLAGS),
    ),
    st.builds(Signal, kind=st.just("enhanced_rights"), weight=st.integers(0, 5), reason=st.just("Enhanced")),
    st.builds(
        Signal,
        kind=st.just("crime_reported"),
        weight=st.integers(0, 5),
        reason=st.just("Recent"),
        within_days=st.integers(0, 30),
    ),
)
rule_sets = st.builds(PriorityRules, high_from=st.integers(1, 8), signals=st.lists(signals, max_size=6).map(tuple))
inputs = st.builds(
    RouteInput,
    age=st.one_of(st.none(), st.integers(0, 100)),
    offence_group=st.one_of(st.none(), st.sampled_from(sorted(ENHANCED_OFFENCES))),
    flags=st.frozensets(st.sampled_from(FLAGS)),
    district=st.none(),
    consent=st.booleans(),
    source=st.just("professional"),
    urgent=st.booleans(),
    risk_to_life=st.booleans(),
    crime_reported_on=st.one_of(st.none(), st.integers(0, 60).map(lambda d: TODAY - timedelta(days=d))),
)


def assess(rules: PriorityRules, inp: RouteInput):  # type: ignore[no-untyped-def]
    return rules.assess(inp, today=TODAY, enhanced_offences=ENHANCED_OFFENCES, enhanced_flags=ENHANCED_FLAGS)


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(rules=rule_sets, inp=inputs)
def test_risk_to_life_or_immediate_danger_is_always_urgent_and_says_so(rules: PriorityRules, inp: RouteInput) -> None:
    result = assess(rules, replace(inp, risk_to_life=True))
    assert result.priority == Priority.URGENT
    assert result.reasons[0] == rules.urgent_reason
    if not (inp.urgent or inp.risk_to_life):
        assert assess(rules, inp).priority != Priority.URGENT  # nothing else reaches Urgent


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(rules=rule_sets, inp=inputs, extra=st.sampled_from(FLAGS))
def test_another_signal_never_lowers_the_priority(rules: PriorityRules, inp: RouteInput, extra: str) -> None:
    before = assess(rules, inp)
    for more in (
        replace(inp, flags=inp.flags | {extra}),
        replace(inp, age=10),
        replace(inp, offence_group="rape"),
        replace(inp, crime_reported_on=TODAY),
    ):
        after = assess(rules, more)
        assert after.priority <= before.priority  # Urgent 1 < High 2 < Standard 3
        assert after.score >= before.score


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(rules=rule_sets, inp=inputs)
def test_every_reason_shown_is_a_signal_that_holds_and_the_weights_decide_high(
    rules: PriorityRules, inp: RouteInput
) -> None:
    result = assess(rules, replace(inp, urgent=False, risk_to_life=False))
    held = [
        s
        for s in rules.signals
        if s.holds(inp, today=TODAY, enhanced_offences=ENHANCED_OFFENCES, enhanced_flags=ENHANCED_FLAGS)
    ]
    assert set(result.reasons) == {s.reason for s in held}
    assert (result.priority == Priority.HIGH) == (sum(s.weight for s in held) >= rules.high_from)


@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(inp=inputs)
def test_without_rules_in_the_area_file_any_one_old_signal_makes_a_referral_high(inp: RouteInput) -> None:
    calm = replace(inp, urgent=False, risk_to_life=False)
    result = assess(PriorityRules.from_area(None), calm)
    old = (
        (calm.age is not None and calm.age < 18)
        or bool({"vulnerable", "repeat", "hate"} & calm.flags)
        or bool(calm.offence_group and ENHANCED_OFFENCES[calm.offence_group])
        or any(ENHANCED_FLAGS[f] for f in calm.flags)
    )
    assert (result.priority == Priority.HIGH) == old


@pytest.mark.parametrize(
    ("when", "expected"),
    [(0, True), (7, True), (8, False)],
)
def test_crime_reported_counts_the_days_since_the_report(when: int, expected: bool) -> None:
    signal = Signal("crime_reported", 1, "Recent", within_days=7)
    later = Signal("crime_reported", 1, "Waited", after_days=7)
    inp = RouteInput(
        None, None, frozenset(), None, True, "professional", crime_reported_on=TODAY - timedelta(days=when)
    )
    none: dict[str, bool] = {}
    assert signal.holds(inp, today=TODAY, enhanced_offences=none, enhanced_flags=none) is expected
    assert later.holds(inp, today=TODAY, enhanced_offences=none, enhanced_flags=none) is not expected
    assert not signal.holds(
        replace(inp, crime_reported_on=None), today=TODAY, enhanced_offences=none, enhanced_flags=none
    )


# -- Warwickshire's rules, as its teams meet them ---------------------------------------------------------


def warwickshire() -> PriorityRules:
    return PriorityRules.from_area(read_area("warwickshire")["priority"])


def test_an_adult_rape_referral_is_not_high_just_for_being_rosas_work() -> None:
    rules = warwickshire()
    historic = RouteInput(
        34, "rape", frozenset(), None, True, "professional", crime_reported_on=TODAY - timedelta(days=400)
    )
    assert assess(rules, historic).priority == Priority.STANDARD
    assert assess(rules, historic).reasons == ("Enhanced Rights (Victims' Code)",)
    fresh = replace(historic, crime_reported_on=TODAY - timedelta(days=2))
    assert assess(rules, fresh).priority == Priority.HIGH
    assert assess(rules, replace(historic, age=15)).priority == Priority.HIGH
    assert assess(rules, replace(historic, flags=frozenset({"vulnerable"}))).priority == Priority.HIGH
    assert assess(rules, replace(historic, risk_to_life=True)).priority == Priority.URGENT


@pytest.mark.django_db
def test_a_referral_keeps_the_reasons_for_its_priority(referrer) -> None:  # type: ignore[no-untyped-def]
    assert settings.ONEDOOR_AREA == "warwickshire"
    referral = make_referral(referrer=referrer, age=15, flag_slugs=["repeat"], risk_to_life=True)
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.priority == Priority.URGENT
    assert stored.priority_reasons == [
        "Risk to life or immediate danger",
        "Child (under 18)",
        "Repeat victim",
        "Enhanced Rights (Victims' Code)",
    ]
    decision = RoutingTable.load().route({"age": 40, "offence_group": "burglary-residential", "consent": True})
    assert decision.priority == Priority.STANDARD and decision.priority_reasons == ()
    assert decision.as_json()["priority_reasons"] == []

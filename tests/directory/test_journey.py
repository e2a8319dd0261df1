from __future__ import annotations

import pytest

from onedoor.public.journey import SITUATION_BY_KEY, SITUATIONS, find_support
from onedoor.referrals.models import RoutingRule
from onedoor.referrals.routing import RoutingTable

pytestmark = pytest.mark.django_db
RUGBY = "E07000220"


def test_every_situation_uses_known_offence_groups_and_flags() -> None:
    table = RoutingTable.load()
    for s in SITUATIONS:
        assert s.offence_group is None or s.offence_group in table.offence_groups, s.key
        for age in (10, 30):
            assert s.flags_for(age) <= set(table.flags), s.key
        assert s.offence_group or s.flags, s.key


def test_sexually_exploited_15_year_old_in_rugby_gets_the_child_exploitation_service_first() -> None:
    results = find_support(situation=SITUATION_BY_KEY["sexual-exploitation"], age=15, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in results.first] == ["barnardos", "childline", "nspcc", "childrens-front-door"]
    assert "Barnardo's" in results.first[0].why
    others = [r.service.slug for r in results.others]
    assert others[0] == "rosa"  # the rules' secondary service comes next
    assert all(r.service.fits_age(15) for r in results.others)


def test_same_situation_as_an_adult_goes_to_the_sexual_violence_service() -> None:
    results = find_support(situation=SITUATION_BY_KEY["sexual-exploitation"], age=25, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in results.first] == ["rosa"]
    assert "childline" not in [r.service.slug for r in results.first + results.others]


def test_domestic_abuse_is_signposted_not_referred() -> None:
    results = find_support(situation=SITUATION_BY_KEY["home-abuse"], age=40, district=RUGBY, needs=frozenset())
    assert results.decision.primary is None
    assert [r.service.slug for r in results.first] == ["domestic-abuse-service"]


def test_needs_bring_in_matching_services() -> None:
    results = find_support(
        situation=SITUATION_BY_KEY["break-in"], age=40, district=RUGBY, needs=frozenset({"drugs-alcohol"})
    )
    assert results.first[0].service.slug == "victim-support"
    assert "drinkline" in [r.service.slug for r in results.others]


def test_results_follow_the_routing_rules_in_the_database_not_a_copy() -> None:
    """Change the rule an administrator would edit; the public journey follows it."""
    rule = RoutingRule.objects.get(key="child-sexual-exploitation")
    rule.max_age = 14
    rule.save()
    results = find_support(situation=SITUATION_BY_KEY["sexual-exploitation"], age=15, district=RUGBY, needs=frozenset())
    assert results.first[0].service.slug == "rosa"

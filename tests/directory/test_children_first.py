"""A child is shown children's help first: every under-18 journey listed in docs/directory.md, checked against the
table there; the order comes from "show first" routing rules (data), not from code."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from onedoor.public.journey import SITUATION_BY_KEY, SITUATIONS, find_support
from onedoor.referrals.models import RoutingRule, RuleOutcome
from onedoor.referrals.routing import RoutingTable

pytestmark = pytest.mark.django_db
RUGBY = "E07000220"
CHILDREN = ["childline", "nspcc", "childrens-front-door"]
DOC = Path(settings.BASE_DIR) / "docs" / "directory.md"


def documented_journeys() -> dict[str, list[str]]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- under-18 journeys: start -->", 1)[1].split("<!-- under-18 journeys: end -->", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = re.findall(r"`([a-z0-9-]+)`", cells[1])
    return rows


JOURNEYS = documented_journeys()


def test_the_doc_lists_every_situation_once() -> None:
    assert sorted(JOURNEYS) == sorted(s.key for s in SITUATIONS)


@pytest.mark.parametrize("key", sorted(JOURNEYS))
def test_each_under_18_journey_in_the_doc_ranks_childrens_help_first(key: str) -> None:
    table = RoutingTable.load()
    for age in (4, 10, 15, 17):
        results = find_support(situation=SITUATION_BY_KEY[key], age=age, district=RUGBY, needs=frozenset(), table=table)
        first = [r.service.slug for r in results.first]
        assert first == JOURNEYS[key], (key, age)
        # Nothing but the commissioned service the rules chose comes before the children's services.
        assert first.index("childline") == (1 if results.decision.primary else 0), (key, age)
        if results.decision.primary:
            chosen = results.first[0].service
            assert chosen.is_commissioned and chosen.fits_age(age), (key, age)
        # And the list below holds nothing that is not for someone this age.
        assert all(r.service.fits_age(age) for r in results.others), (key, age)
        # The words about what a service may have to share, for a child.
        assert any("keep children safe" in n for n in results.notes), (key, age)


@pytest.mark.parametrize("key", ["sexual", "rape", "home-abuse", "attacked"])
def test_from_18_the_childrens_services_do_not_lead(key: str) -> None:
    results = find_support(situation=SITUATION_BY_KEY[key], age=18, district=RUGBY, needs=frozenset())
    assert not {"childline", "childrens-front-door"} & {r.service.slug for r in results.first}
    assert not results.notes


def test_the_cases_from_the_issue() -> None:
    """A 15-year-old hurt by a family member got only adult domestic-abuse services; a 15-year-old searching
    about sexual abuse saw Childline 14th of 14."""
    home = find_support(situation=SITUATION_BY_KEY["home-abuse"], age=15, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in home.first][:3] == CHILDREN
    sexual = find_support(situation=SITUATION_BY_KEY["sexual"], age=15, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in sexual.first].index("childline") == 1


def test_the_ranking_is_the_rules_data_not_code() -> None:
    """An administrator ends one rule and reorders another: the list follows, with no code change."""
    yesterday = timezone.localdate() - timedelta(days=1)
    RoutingRule.objects.filter(key="children-first-nspcc").update(effective_to=yesterday)
    RoutingRule.objects.filter(key="children-first-childrens-front-door").update(order=0)
    results = find_support(situation=SITUATION_BY_KEY["home-abuse"], age=15, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in results.first] == ["childrens-front-door", "childline", "domestic-abuse-service"]
    RoutingRule.objects.filter(outcome=RuleOutcome.SHOW_FIRST).update(max_age=12)
    older = find_support(situation=SITUATION_BY_KEY["home-abuse"], age=15, district=RUGBY, needs=frozenset())
    assert [r.service.slug for r in older.first] == ["domestic-abuse-service"]


def test_show_first_rules_never_change_a_referral_decision() -> None:
    """The same decisions with and without the show-first rules, for every situation and age band."""
    with_them = RoutingTable.load()
    RoutingRule.objects.filter(outcome=RuleOutcome.SHOW_FIRST).delete()
    without = RoutingTable.load()
    from onedoor.public.journey import route_input

    for s in SITUATIONS:
        for age in (None, 4, 15, 17, 18, 30):
            inp = route_input(situation=s, age=age, district=RUGBY, needs=frozenset())
            assert with_them.decide(inp) == without.decide(inp), (s.key, age)


def test_a_child_sees_the_sharing_words_and_the_childrens_services_on_the_page(client: Client) -> None:
    html = client.post(
        "/find-support/", {"happened": "home-abuse", "age": "15", "district": RUGBY, "told_police": "no"}, follow=True
    ).content.decode()
    first = html.split("onedoor-results--first", 1)[1].split("onedoor-results--others", 1)[0]
    assert first.index('data-service="childline"') < first.index('data-service="domestic-abuse-service"')
    assert "onedoor-sharing-note" in html and "keep children safe" in html
    adult = client.post(
        "/find-support/", {"happened": "home-abuse", "age": "30", "district": RUGBY, "told_police": "no"}, follow=True
    ).content.decode()
    assert "onedoor-sharing-note" not in adult and 'data-service="childline"' not in adult


def test_the_sharing_words_are_translated(client: Client) -> None:
    html = client.post(
        "/pl/find-support/", {"happened": "attacked", "age": "12", "district": RUGBY}, follow=True
    ).content.decode()
    assert "Najpierw spróbują porozmawiać o tym z tobą." in html

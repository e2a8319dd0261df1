from __future__ import annotations

from datetime import date

import pytest

from onedoor.areas.loader import AreaConfigError, load_area
from onedoor.directory.models import Service
from onedoor.referrals.models import RoutingRule

pytestmark = pytest.mark.django_db


def test_loading_again_keeps_administrators_edits() -> None:
    rule = RoutingRule.objects.get(key="substance-use-adult")
    rule.effective_to = date(2030, 1, 1)
    rule.min_age = 30
    rule.save()
    Service.objects.filter(slug="rosa").update(phone="01788 000000")
    assert load_area("warwickshire") == {
        "districts_written": 0,
        "services_written": 0,
        "routing_rules_written": 0,
        "message_templates_written": 0,
    }
    rule.refresh_from_db()
    assert (rule.effective_to, rule.min_age) == (date(2030, 1, 1), 30)
    assert Service.objects.get(slug="rosa").phone == "01788 000000"


def test_reset_puts_the_file_back_field_by_field_and_removes_unknown_rules() -> None:
    rule = RoutingRule.objects.get(key="substance-use-adult")
    rule.effective_to = date(2030, 1, 1)
    rule.min_age = 30
    rule.outcome = "signpost"
    rule.save()
    rule.flags_none.add(*rule.flags_any.all())
    extra = RoutingRule.objects.create(
        key="made-up",
        name="x",
        precedence=6,
        effective_from=date(2021, 1, 1),
        service=Service.objects.get(slug="rosa"),
        reason="x",
    )
    Service.objects.filter(slug="rosa").update(phone="01788 000000", max_age=99)
    load_area("warwickshire", reset=True)
    rule.refresh_from_db()
    assert (rule.effective_to, rule.min_age, rule.outcome) == (None, 26, "refer")
    assert not rule.flags_none.exists()
    assert not RoutingRule.objects.filter(pk=extra.pk).exists()
    rosa = Service.objects.get(slug="rosa")
    assert (rosa.phone, rosa.max_age, rosa.last_checked) == ("01788 551151", None, date(2022, 2, 1))


def test_an_unknown_area_names_the_known_ones() -> None:
    with pytest.raises(AreaConfigError, match="warwickshire"):
        load_area("atlantis")

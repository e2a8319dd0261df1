from __future__ import annotations

import pytest

from onedoor.areas.demo import load_demo
from onedoor.casework.demo import load_casework_demo
from onedoor.casework.models import CaseAlert, ClosureOutcome, JointWorking
from onedoor.referrals.models import Referral


@pytest.mark.django_db
def test_demo_casework_is_made_through_the_services_once() -> None:
    load_demo(count=60)
    counts = load_casework_demo()
    assert counts["cases"] >= 3
    assert Referral.objects.filter(assigned_to__username="vs.caseworker").count() == counts["cases"]
    assert CaseAlert.objects.filter(organisation__slug="victim-support").count() == 1
    assert ClosureOutcome.objects.count() == 1
    assert JointWorking.objects.filter(partner_service__slug="rosa").count() == 1
    assert load_casework_demo() == {"cases": 0}

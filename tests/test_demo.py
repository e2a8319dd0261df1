from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from onedoor.accounts.models import Role, User
from onedoor.referrals.models import Referral, Status


@pytest.mark.django_db
def test_the_demo_has_every_role_varied_referrals_and_prints_logins(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out = StringIO()
    call_command("load_demo", "--count", "60", stdout=out)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    referrals = Referral.objects.all()
    assert referrals.count() >= 50
    assert referrals.values("current_service").distinct().count() == 5
    assert referrals.values("district").distinct().count() == 5
    assert {Status.RECEIVED, Status.ACCEPTED} <= set(referrals.values_list("status", flat=True))
    assert all(r.phone.startswith("+447700900") for r in referrals)
    printed = out.getvalue()
    assert "onedoor-demo-2026" in printed and "vs.triage" in printed and "2FA key" in printed
    assert not DBTaskResult.objects.exists()  # history: nobody is emailed
    call_command("load_demo", stdout=StringIO())
    assert Referral.objects.count() == referrals.count()  # loads once

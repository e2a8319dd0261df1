from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from onedoor.accounts.models import Role, User
from onedoor.casework.models import CaseAlert
from onedoor.messaging.mail import send_staff_email


@task()
def alert_team_leads(*, alert_id: int) -> None:
    """Tell the organisation's team leads at once that a risk item was answered. The email says only that
    there is an alert on a case reference; everything else is behind sign-in."""
    alert = CaseAlert.objects.select_related("referral").get(pk=alert_id)
    link = settings.ONEDOOR_PUBLIC_URL.rstrip("/") + reverse("casework:alerts")
    for lead in User.objects.filter(organisation_id=alert.organisation_id, role=Role.TEAM_LEAD, is_active=True):
        if not lead.email:
            continue
        send_staff_email(
            to=lead.email,
            subject=f"OneDoor alert on case {alert.referral.reference}",
            body=(
                f"A risk item was answered on a measure for case {alert.referral.reference}. "
                f"Please check in with the caseworker today.\n\nSee the alert after signing in: {link}\n\n"
                "This email does not include anything about the person."
            ),
        )

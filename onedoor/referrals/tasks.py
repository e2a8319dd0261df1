from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from onedoor.accounts.models import Role, User
from onedoor.core.http import public_url
from onedoor.messaging.mail import send_staff_email
from onedoor.referrals.models import Referral, Status, StatusEvent


@task()
def notify_referrer_of_status(*, event_id: int) -> None:
    """Tell the referrer their referral's status changed. No detail about the person, only the
    reference, the service and the status; the timeline is behind sign-in."""
    event = StatusEvent.objects.select_related("referral__referrer", "service").get(pk=event_id)
    referral = event.referral
    referrer = referral.referrer
    if referrer is None or not referrer.email:
        return
    status = Status(event.to_status).label
    service = event.service.short_name if event.service else "OneDoor"
    link = public_url(reverse("referrals:mine_detail", args=[referral.reference]))
    send_staff_email(
        to=referrer.email,
        subject=f"Referral {referral.reference}: {status}",
        body=(
            f"Your referral {referral.reference} is now: {status} ({service}).\n\n"
            f"See its timeline after signing in: {link}\n\n"
            "This email does not include anything about the person you referred."
        ),
    )


@task()
def alert_team_of_urgent_referral(*, referral_id: int) -> None:
    """Tell the receiving team at once about a referral marked risk to life or immediate danger: its team
    leads and its functional mailbox. The email gives the reference and the service, nothing about the
    person; the referral is behind sign-in."""
    referral = Referral.objects.select_related("current_service").get(pk=referral_id)
    service = referral.current_service
    if service is None or service.organisation_id is None:
        return
    leads = User.objects.filter(organisation_id=service.organisation_id, role=Role.TEAM_LEAD, is_active=True).exclude(
        email=""
    )
    to = list(
        dict.fromkeys(
            [*leads.values_list("email", flat=True), *([service.team_mailbox] if service.team_mailbox else [])]
        )
    )
    link = public_url(reverse("referrals:detail", args=[referral.reference]))
    what = "risk to life" if referral.risk_to_life else "immediate danger"
    for address in to:
        send_staff_email(
            to=address,
            subject=f"URGENT referral {referral.reference} for {service.short_name or service.name}: act today",
            body=(
                f"Referral {referral.reference} has been marked as a {what}. First contact is due today.\n\n"
                f"It is at the top of the {service.name} queue. See it after signing in: {link}\n\n"
                "This email does not include anything about the person."
            ),
        )

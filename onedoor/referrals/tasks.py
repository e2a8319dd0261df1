from __future__ import annotations

from django.urls import reverse
from django_tasks import task

from onedoor.core.http import public_url
from onedoor.messaging.mail import send_staff_email
from onedoor.referrals.models import Status, StatusEvent


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

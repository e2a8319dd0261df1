"""The police app's notification tasks: the team told of a contact detail that failed, the referrers told
of their new referrals. Queued by `onedoor.police.services` and `onedoor.police.bulk`."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task  # noqa: TID251 -- the police notices are tasks

from onedoor.messaging.mail import send_staff_email
from onedoor.referrals.models import Referral
from onedoor.referrals.tasks import notify_referrer_of_status


@task()
def tell_team_contact_invalid(*, referral_id: int, channel: str) -> None:
    """Tell the team holding a referral that the person's number or email does not work. The email
    names the referral only; the detail is behind sign-in."""
    referral = Referral.objects.select_related("current_service").get(pk=referral_id)
    service = referral.current_service
    if service is None or not service.email:
        return
    what = "phone number" if channel == "sms" else "email address"
    link = settings.ONEDOOR_PUBLIC_URL.rstrip("/") + reverse("referrals:detail", args=[referral.reference])
    send_staff_email(
        to=service.email,
        subject=f"Referral {referral.reference}: contact detail does not work",
        body=(
            f"The {what} the police gave for referral {referral.reference} failed permanently when OneDoor "
            f"sent the support offer. Check the contact details with the police before trying it.\n\n{link}"
        ),
    )


@task()
def tell_referrers(*, event_ids: list[int]) -> None:
    """Tell each referrer about their new referral: the referral spine's own notification, run for a
    whole import chunk in one task rather than one task per referral."""
    for event_id in event_ids:
        notify_referrer_of_status.call(event_id=event_id)

"""Emails to referrers about their referrals: one at each milestone, or one digest a day if they chose it.

A referral taken from receipt to closure passes through up to seven statuses; the referrer hears about the
three that change what they should do (docs/messaging.md, "Referrer emails"): accepted or declined (or
closed as not engaged), support started, closed. Received is on the confirmation page; triage, contact
attempts and re-routing are on the timeline behind sign-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from onedoor.accounts.models import Role, StatusEmails, User
from onedoor.core.http import public_url
from onedoor.messaging.mail import send_staff_email
from onedoor.referrals.models import Referral, Status, StatusEvent

MILESTONES = frozenset({Status.ACCEPTED, Status.DECLINED, Status.ENGAGED, Status.CLOSED, Status.NOT_ENGAGED})
FOOTER = "This email does not include anything about the person you referred."


def is_milestone(status: str) -> bool:
    return status in MILESTONES


@task()
def notify_referrer_of_status(*, event_id: int) -> None:
    """Tell the referrer a referral reached a milestone, unless they chose the daily digest. No detail about
    the person, only the reference, the service and the status; the timeline is behind sign-in."""
    event = StatusEvent.objects.select_related("referral__referrer", "service").get(pk=event_id)
    referral = event.referral
    referrer = referral.referrer
    if referrer is None or not referrer.email or not is_milestone(event.to_status):
        return
    if referrer.status_emails == StatusEmails.DAILY:
        return  # the digest lists it
    status = Status(event.to_status).label
    service = event.service.short_name if event.service else "OneDoor"
    link = public_url(reverse("referrals:mine_detail", args=[referral.reference]))
    send_staff_email(
        to=referrer.email,
        subject=f"Referral {referral.reference}: {status}",
        body=(
            f"Your referral {referral.reference} is now: {status} ({service}).\n\n"
            f"See its timeline after signing in: {link}\n\n{FOOTER}"
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


def referrer_digests_send(*, now: datetime | None = None) -> int:
    """Send each referrer who chose the daily digest one email listing their referrals' milestones since
    the last digest, if there were any. Returns how many were sent. A periodic job (referrals/apps.py).

    The watermark moves only after the email is sent, one referrer at a time, so a failure sends that
    referrer's digest again next run rather than losing it."""
    moment = now or timezone.now()
    sent = 0
    for referrer in User.objects.filter(status_emails=StatusEmails.DAILY, is_active=True).exclude(email=""):
        since = referrer.status_digest_sent_until or moment - timedelta(days=1)
        events = list(
            StatusEvent.objects.filter(
                referral__referrer=referrer, to_status__in=MILESTONES, at__gt=since, at__lte=moment
            )
            .select_related("referral", "service")
            .order_by("at", "id")
        )
        if events:
            lines = [
                f"- {e.referral.reference}: {Status(e.to_status).label} "
                f"({e.service.short_name if e.service else 'OneDoor'}), {timezone.localtime(e.at):%d %b %H:%M}"
                for e in events
            ]
            link = public_url(reverse("referrals:mine"))
            send_staff_email(
                to=referrer.email,
                subject=f"Your referrals: {len(events)} update{'s' if len(events) != 1 else ''}",
                body="Since your last digest:\n\n" + "\n".join(lines) + f"\n\nSee them after signing in: {link}\n\n"
                f"{FOOTER}\nTo get an email at each milestone instead, change your choice under Emails about "
                "your referrals.",
            )
            sent += 1
        User.objects.filter(pk=referrer.pk).update(status_digest_sent_until=moment)
    return sent

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError
from django.urls import reverse
from django_tasks import task

from onedoor.messaging.mail import send_staff_email
from onedoor.referrals.models import Referral


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
    from onedoor.referrals.tasks import notify_referrer_of_status

    for event_id in event_ids:
        notify_referrer_of_status.call(event_id=event_id)


# -- the import's chunk tasks (onedoor.police.chunks, ADR 0009) --------------------------------------------
# Each runs one idempotent step and then tries to move its batch on; a chunk that fails for a reason a
# rerun will not cure fails its batch, so that no batch is left "running" by an error.


# Ahead of the send tasks the import queues, so that a batch finishes before its offers go out in bulk
# (the send tasks wait minutes at most, and a finished batch is what the police data officer watches).
IMPORT_PRIORITY = 10


def _step(batch_id: int, work: Any) -> None:
    from onedoor.police.chunks import ChunkRetry, police_batch_advance, police_batch_fail

    try:
        work()
    except (ChunkRetry, OperationalError, IntegrityError):
        raise  # a conflict or the database going away: the task is retried, the batch stays resumable
    except Exception as exc:
        police_batch_fail(batch_id=batch_id, why=type(exc).__name__)
        raise
    police_batch_advance(batch_id=batch_id)


@task(priority=IMPORT_PRIORITY)
def police_load_chunk(*, batch_id: int, number: int) -> None:
    from onedoor.police.chunks import police_chunk_load

    _step(batch_id, lambda: police_chunk_load(batch_id=batch_id, number=number))


@task(priority=IMPORT_PRIORITY)
def police_process_chunk(*, batch_id: int, number: int) -> None:
    from onedoor.police.chunks import police_chunk_process

    _step(batch_id, lambda: police_chunk_process(batch_id=batch_id, number=number))


@task(priority=IMPORT_PRIORITY)
def police_finish_batch(*, batch_id: int) -> None:
    from onedoor.police.chunks import police_batch_fail, police_batch_finish

    try:
        police_batch_finish(batch_id=batch_id)
    except (OperationalError, IntegrityError):
        raise
    except Exception as exc:
        police_batch_fail(batch_id=batch_id, why=type(exc).__name__)
        raise


@task()
def police_resume_stale_batches() -> None:
    """The recovery task: resume running batches that have done nothing for ten minutes."""
    from onedoor.police.chunks import police_batches_resume_stale

    police_batches_resume_stale()

from __future__ import annotations

from django_tasks import task

from onedoor.core.context import origin
from onedoor.messaging.services import message_send


@task()
def send_messages(*, message_ids: list[int]) -> None:
    """Send a batch of queued messages. A message that is not due yet, or already sent, is skipped,
    so running a batch twice sends nothing twice."""
    with origin("task", "send_messages"):
        for pk in message_ids:
            message_send(message_id=pk)

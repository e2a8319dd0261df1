from __future__ import annotations

from django_tasks import task

from onedoor.core.context import origin
from onedoor.messaging.services import SEND_BATCH, messages_send_due, messages_send_many, send_task_register


@task()
def send_messages(*, message_ids: list[int]) -> None:
    """Send a batch of queued messages. A message that is not due yet, already sent, or claimed by
    another worker is skipped, so running a batch twice (a stuck task given back) sends nothing twice."""
    with origin("task", "send_messages"):
        messages_send_many(message_ids=message_ids)


send_task_register(send_messages)


def send_due() -> None:
    """The worker's every-minute job: whatever is due and has no worker sending it (quiet hours ended,
    a retry's time came, a task was lost). One batch a run, so the worker soon goes back to its queue."""
    with origin("task", "send_due_messages"):
        messages_send_due(limit=SEND_BATCH)

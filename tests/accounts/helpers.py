from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client, TestCase


def ask_by_email(client: Client, url: str, email: str, address: str) -> Any:
    """POST an email address from a client address, sending whatever email it queues on commit into a
    cleared outbox."""
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {"email": email}, REMOTE_ADDR=address)

"""Where messages go. `get_backend()` returns the configured one (settings.ONEDOOR_MESSAGE_BACKEND).

- FileBackend, the default: appends each message, rendered, to a JSON-lines outbox file so a demo shows
  what would be sent. Nothing leaves the machine.
- NotifyBackend: GOV.UK Notify through notifications-python-client.

Backends raise TemporaryFailure (try again later), ProviderRefused (our key or account was refused: hold
until an operator fixes it) or PermanentFailure (this contact will never work).
They never log the recipient or the content.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient


class TemporaryFailure(Exception):
    """The provider could not take the message now (rate limit, outage): retry later."""


class ProviderRefused(TemporaryFailure):
    """The provider refused OneDoor itself (a wrong or revoked API key, a suspended service: 401 or 403),
    not this message. Nothing is wrong with the contact, and retrying before an operator fixes the key
    cannot help: the message is held, without using up its attempts, and readiness reports it."""


class PermanentFailure(Exception):
    """The provider will never deliver to this contact (invalid number or address)."""


@dataclass(frozen=True)
class Outgoing:
    channel: str
    to: str
    template_id: str
    personalisation: dict[str, str]
    reference: str
    subject: str
    body: str


@dataclass(frozen=True)
class Sent:
    provider_id: str
    final: bool  # True when the backend knows it is delivered (no callback will follow)


class MessageBackend(Protocol):
    def send(self, message: Outgoing) -> Sent: ...


class FileBackend:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.ONEDOOR_MESSAGE_OUTBOX)

    def send(self, message: Outgoing) -> Sent:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        provider_id = str(uuid.uuid4())
        line = {
            "id": provider_id,
            "at": timezone.now().isoformat(),
            "channel": message.channel,
            "to": message.to,
            "reference": message.reference,
            "subject": message.subject,
            "body": message.body,
        }
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        return Sent(provider_id=provider_id, final=True)


class NotifyBackend:
    def __init__(self, api_key: str | None = None, base_url: str | None = None) -> None:
        self.client = NotificationsAPIClient(
            api_key or settings.ONEDOOR_NOTIFY_API_KEY,
            base_url=base_url or settings.ONEDOOR_NOTIFY_BASE_URL,
            timeout=10,
        )

    def send(self, message: Outgoing) -> Sent:
        try:
            if message.channel == "sms":
                response = self.client.send_sms_notification(
                    phone_number=message.to,
                    template_id=message.template_id,
                    personalisation=message.personalisation,
                    reference=message.reference,
                )
            else:
                response = self.client.send_email_notification(
                    email_address=message.to,
                    template_id=message.template_id,
                    personalisation=message.personalisation,
                    reference=message.reference,
                )
        except APIError as exc:
            # Notify answers 400 for a contact it will never deliver to; 401 or 403 for a bad key (our
            # fault: held until fixed); 429 and 5xx for "not now". The message text can hold the number,
            # so only the status code travels on.
            if exc.status_code == 400:
                raise PermanentFailure(f"notify {exc.status_code}") from None
            if exc.status_code in (401, 403):
                raise ProviderRefused(f"notify {exc.status_code}") from None
            raise TemporaryFailure(f"notify {exc.status_code}") from None
        return Sent(provider_id=str(response["id"]), final=False)


def get_backend() -> MessageBackend:
    backend: MessageBackend = import_string(settings.ONEDOOR_MESSAGE_BACKEND)()
    return backend

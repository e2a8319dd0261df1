"""When a support offer's contact detail fails permanently, the police record and its referral hear of it."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from onedoor.messaging.models import Message
from onedoor.messaging.services import contact_invalid
from onedoor.police.services import police_record_mark_contact_invalid


@receiver(contact_invalid, sender=Message, dispatch_uid="police_contact_invalid")
def _on_contact_invalid(sender: Any, message: Message, **kwargs: Any) -> None:
    police_record_mark_contact_invalid(message=message)

from typing import Any

from django.core.management.base import BaseCommand

from onedoor.core.context import origin
from onedoor.messaging.services import messages_send_due


class Command(BaseCommand):
    help = "Send queued messages that have come due (after quiet hours or a retry). Run every few minutes."

    def handle(self, *args: Any, **options: Any) -> None:
        with origin("cli", "send_due_messages"):
            sent = messages_send_due()
        self.stdout.write(f"{sent} due message(s) processed")

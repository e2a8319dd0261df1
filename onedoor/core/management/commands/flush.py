from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from onedoor.core.audit_guard import audit_guard_lifted


class Command(FlushCommand):
    help = (
        f"{FlushCommand.help} The audit log's delete guard is lifted for the flush and put back after; only "
        "the table's owner (the role that migrates) can do that."
    )

    def handle(self, **options: Any) -> None:
        with audit_guard_lifted(connections[options["database"]]):
            super().handle(**options)

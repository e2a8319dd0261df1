from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from onedoor.accounts.models import Organisation
from onedoor.areas.loader import AreaConfigError, load_area
from onedoor.core.audit import audit_changes, audit_record, audit_snapshot
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import origin
from onedoor.core.models import District
from onedoor.directory.models import Service
from onedoor.messaging.models import MessageTemplate
from onedoor.referrals.models import RoutingRule

CONFIGURATION: tuple[type[models.Model], ...] = (District, Organisation, Service, RoutingRule, MessageTemplate)


def _snapshot() -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for model in CONFIGURATION:
        for obj in model._default_manager.all():
            rows[f"{model._meta.label_lower}:{obj.pk}"] = audit_snapshot(obj)
    return rows


def configuration_changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Row by row, what the load created, changed (each field from and to) and deleted."""
    return {
        "created": sorted(set(after) - set(before)),
        "deleted": sorted(set(before) - set(after)),
        "changed": {
            key: diff for key in sorted(set(before) & set(after)) if (diff := audit_changes(before[key], after[key]))
        },
    }


class Command(BaseCommand):
    help = (
        "Load an area file (a bundled area's name, or a path): its districts, organisations, services, routing "
        "rules and message templates. Checks the whole file first and writes nothing from an invalid one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", nargs="?", default=settings.ONEDOOR_AREA, help="name or path (ONEDOOR_AREA)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put organisations, services and routing rules back exactly as the file says, undoing admin edits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reset = options["reset"]
        try:
            with origin("cli", "load_area"), transaction.atomic():
                before = _snapshot()
                counts = load_area(options["area"], reset=reset)
                changes = configuration_changes(before, _snapshot())
                # Every load is audited, a load that changed nothing too: who (the operator at the command
                # line), which file, and what, from what, to what, row by row.
                audit_record(
                    actor=None,
                    action=AuditAction.AREA_RESET if reset else AuditAction.AREA_LOADED,
                    detail={"area": str(options["area"]), **counts, **changes},
                )
        except AreaConfigError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))

"""Apply the retention schedule now (the worker does it daily), or see what it would do."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import origin
from onedoor.privacy.audit_purge import audit_rows_purge
from onedoor.privacy.retention import apply_retention, cutoff_for, schedule


class Command(BaseCommand):
    help = "Apply the area's retention schedule; --dry-run reports what it would do, by kind and count."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing")
        parser.add_argument("--today", help="Apply as on this day (YYYY-MM-DD), for a rehearsal")
        parser.add_argument(
            "--audit-log",
            action="store_true",
            help="Also delete audit rows past their period: run as the database owner (docs/data-protection.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as e:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {options['today']!r}") from e
        with origin("cli", "apply_retention"):
            report = apply_retention(today=today, dry_run=options["dry_run"])
            out: dict[str, Any] = report.as_detail()
            if options["audit_log"] and not options["dry_run"]:
                rule = next(r for r in schedule() if r.kind == "audit_log")
                removed = audit_rows_purge(cutoff_for(today, rule.months))
                audit_record(actor=None, action=AuditAction.RETENTION_APPLIED, detail={"audit_log_removed": removed})
                out["audit_log_removed"] = removed
        self.stdout.write(json.dumps(out, indent=2))

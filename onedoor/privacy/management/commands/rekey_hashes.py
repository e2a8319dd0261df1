"""Rewrite the matching hashes stored under previous match keys (ONEDOOR_MATCH_KEYS after the first)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from onedoor.core.context import origin
from onedoor.core.matchkeys import rotating
from onedoor.privacy.rekey import rekey_hashes


class Command(BaseCommand):
    help = "Re-key the stored matching hashes to the current match key, after a rotation (docs/runbook.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not rotating():
            self.stderr.write(
                "Only one match key is configured: nothing to re-key. To rotate, set "
                "ONEDOOR_MATCH_KEYS=<new key>,<old key>, restart, then run this command."
            )
        with origin("cli", "rekey_hashes"):
            counts = rekey_hashes()
        self.stdout.write(json.dumps(counts))

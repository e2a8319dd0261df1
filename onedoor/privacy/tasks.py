from __future__ import annotations

from onedoor.core.context import origin
from onedoor.privacy.retention import apply_retention


def apply_retention_daily() -> None:
    """The worker's daily job: apply the area's retention schedule. Safe to run twice: what is already
    deleted or anonymised is not touched again."""
    with origin("task", "apply_retention"):
        apply_retention()

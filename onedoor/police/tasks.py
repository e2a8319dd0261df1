"""Every task the police app defines, by the names the task queue knows them by.

The tasks live beside the services that queue them (`onedoor.police.notices`, `onedoor.police.chunks`),
so that no module imports another that imports it back; rows queued under these paths, before the tasks
moved, still find them here. Nothing in the police app imports this module.
"""

from __future__ import annotations

from onedoor.police.chunks import (
    IMPORT_PRIORITY,
    police_finish_batch,
    police_load_chunk,
    police_process_chunk,
    police_resume_stale_batches,
)
from onedoor.police.notices import tell_referrers, tell_team_contact_invalid

__all__ = [
    "IMPORT_PRIORITY",
    "police_finish_batch",
    "police_load_chunk",
    "police_process_chunk",
    "police_resume_stale_batches",
    "tell_referrers",
    "tell_team_contact_invalid",
]

"""Soak scenario: `kill -9` of the import's workers mid-run, then a rerun, against one clean run.

`scenario_import_kill(database_url)` migrates the given PostgreSQL database (it must be one the caller
may empty: the import's tables are truncated), generates a transfer file, uploads it through the
production path (`police_batch_upload`: the file stored as chunk tasks) with two real `db_worker`
processes, kills them with SIGKILL once the batch is part way, starts new workers and reruns (uploading
the same file again resumes its batch), and then imports the same file once more from empty with
no kill. It returns whether the two final states are identical (every record's outcome, the table
counts, the batch ledger and its error rows), with the figures.

    python bench/soak_import.py postgres://postgres@127.0.0.1:5432/some_scratch_db
"""

from __future__ import annotations

import io
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    os.environ["ONEDOOR_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("ONEDOOR_MESSAGE_OUTBOX", str(Path(tempfile.gettempdir()) / "onedoor-soak-outbox.jsonl"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_area", verbosity=0, stdout=io.StringIO())


def _final_state(batch_id: int) -> tuple[Any, ...]:
    from onedoor.police.models import SUMMARY_KEYS, PoliceBatch, PoliceRowError
    from tests.police.helpers import import_counts, import_state

    batch = PoliceBatch.objects.get(pk=batch_id)
    ledger = (batch.status, *(getattr(batch, k) for k in (*SUMMARY_KEYS, "messages_withheld", "processed")))
    errors = sorted(PoliceRowError.objects.values_list("line", "column", "expected"))
    return import_state(), import_counts(), ledger, errors


def _upload(path: Path) -> int:
    from onedoor.police.chunks import police_batch_upload

    with path.open("rb") as f:
        return police_batch_upload(f=f, file_name=path.name, actor=None, channel="api").pk


def scenario_import_kill(database_url: str, *, rows: int = 20_000, workers: int = 2) -> dict[str, Any]:
    _setup(database_url)
    from bench.workers import start_workers, stop_workers, wait_until_done, wipe
    from onedoor.police.generator import generate
    from onedoor.police.models import BatchStatus, PoliceBatch

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "soak-police.csv"
        with path.open("wb") as f:
            generate(f, rows=rows, seed=3, bad_percent=2)

        # 1. Killed part way, then rerun.
        wipe()
        procs = start_workers(workers, database_url)
        started = time.perf_counter()
        batch_id = _upload(path)
        killed_in = ""
        while time.perf_counter() - started < 600:
            batch = PoliceBatch.objects.get(pk=batch_id)
            if batch.status != BatchStatus.RUNNING:
                break
            if batch.rows >= rows // 2 or batch.processed > 0:
                stop_workers(procs, signal.SIGKILL)
                killed_in = f"{batch.phase} ({batch.rows:,} rows read, {batch.processed:,} records processed)"
                break
            time.sleep(0.05)
        left_running = PoliceBatch.objects.get(pk=batch_id).status == BatchStatus.RUNNING
        procs = start_workers(workers, database_url)
        try:
            assert _upload(path) == batch_id, "the rerun resumes the killed batch"
            wait_until_done(batch_id)
        finally:
            stop_workers(procs)
        resumed = _final_state(batch_id)
        resumed_s = time.perf_counter() - started

        # 2. One clean run.
        wipe()
        procs = start_workers(workers, database_url)
        try:
            started = time.perf_counter()
            clean_id = _upload(path)
            wait_until_done(clean_id)
            clean_s = time.perf_counter() - started
        finally:
            stop_workers(procs)
        clean = _final_state(clean_id)

    result = {
        "rows": rows,
        "workers": workers,
        "killed_in": killed_in or "not killed: the batch finished first",
        "running_after_kill": left_running,
        "status_after_rerun": resumed[2][0],
        "seconds_killed_and_rerun": round(resumed_s, 1),
        "seconds_clean": round(clean_s, 1),
        "identical": resumed == clean,
    }
    return result


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/onedoor_soak_import"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    print(scenario_import_kill(url, rows=rows))

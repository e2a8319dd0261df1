"""Soak scenario: `kill -9` of the import's workers mid-run, then a rerun, against one clean run.

`scenario_import_kill(database_url)` migrates the given PostgreSQL database (it must be one the caller
may empty: the import's tables are truncated), generates a transfer file, uploads it through the
production path (`police_batch_upload`: the file stored as chunk tasks) with two real `db_worker`
processes, and kills them with SIGKILL at each kill point in turn: in the load phase once a load chunk
has committed, then in the processing phase once a process chunk has committed (ADR 0009's two parallel
phases). After each kill it starts new workers and uploads the same file again, which resumes its batch.
Then it imports the same file once more from empty with no kill. It returns whether the two final
states are identical (every record's outcome, the table counts, the batch ledger and its error rows),
with the figures. `make soak` (`bench/soak.py --scenario import-kill`) runs it in a child process.

    python bench/soak_import.py postgres://postgres@127.0.0.1:5432/some_scratch_db [ROWS]   # prints JSON
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
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


def _kill_points() -> dict[str, Callable[[Any, int], bool]]:
    from onedoor.police.models import BatchPhase

    return {
        # A chunk of the phase has committed and the others are in flight.
        "load": lambda batch, rows: batch.phase == BatchPhase.LOAD and 0 < batch.rows < rows,
        "process": lambda batch, rows: batch.phase != BatchPhase.LOAD and batch.processed > 0,
    }


def _kill_at(point: str, batch_id: int, rows: int, procs: list[Any]) -> str:
    """Waits for the kill point, then kills every worker with SIGKILL. Returns where the batch was, or ""
    if it finished (or passed the point) first."""
    from bench.workers import stop_workers
    from onedoor.police.models import BatchStatus, PoliceBatch

    reached = _kill_points()[point]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        batch = PoliceBatch.objects.get(pk=batch_id)
        if batch.status != BatchStatus.RUNNING:
            return ""
        if reached(batch, rows):
            stop_workers(procs, signal.SIGKILL)
            return f"{batch.phase} ({batch.rows:,} rows read, {batch.processed:,} records processed)"
        time.sleep(0.05)
    return ""


def scenario_import_kill(
    database_url: str, *, rows: int = 20_000, workers: int = 2, kill_points: tuple[str, ...] = ("load", "process")
) -> dict[str, Any]:
    _setup(database_url)
    from bench.workers import start_workers, stop_workers, wait_until_done, wipe
    from onedoor.police.generator import generate
    from onedoor.police.models import BatchStatus, PoliceBatch

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "soak-police.csv"
        with path.open("wb") as f:
            generate(f, rows=rows, seed=3, bad_percent=2)

        # 1. Killed at each kill point, restarted and the file uploaded again after each, then run to the end.
        wipe()
        procs = start_workers(workers, database_url)
        started = time.perf_counter()
        batch_id = _upload(path)
        killed_in: list[str] = []
        left_running = True
        try:
            for point in kill_points:
                where = _kill_at(point, batch_id, rows, procs)
                if not where:
                    break
                killed_in.append(where)
                left_running = left_running and PoliceBatch.objects.get(pk=batch_id).status == BatchStatus.RUNNING
                procs = start_workers(workers, database_url)
                rerun = _upload(path)
                killed = PoliceBatch.objects.get(pk=batch_id)
                assert rerun == batch_id, (
                    f"the rerun resumes the killed batch, not one {killed.status} in {killed.phase}"
                )
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
        "kill_points": list(kill_points),
        "killed_in": killed_in,
        "running_after_kill": left_running and bool(killed_in),
        "status_after_rerun": resumed[2][0],
        "seconds_killed_and_rerun": round(resumed_s, 1),
        "seconds_clean": round(clean_s, 1),
        "identical": resumed == clean,
    }
    return result


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/onedoor_soak_import"
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    print(json.dumps(scenario_import_kill(url, rows=rows)))

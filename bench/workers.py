"""The police import through its production path with real task workers: 1 worker, then 2, on the
database `bench/run.py` made. Used by `bench/run.py` (`make bench`) and by `bench/soak_import.py`.

Each run empties the import's tables, starts N `manage.py db_worker` processes, uploads the file with
`police_batch_upload` (what the upload page and the API call: the file stored as chunk tasks), and times
from the upload to the batch's completion. Nothing is sent: the import's tasks go ahead of the send
tasks it queues, and the clock stops when the batch completes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def wipe() -> None:
    """Empty every table an import writes (and the task queue), so that each run starts the same. The audit
    log refuses TRUNCATE; on this scratch database, as its owner, the guard is lifted for the one statement
    as `flush` does (onedoor/core/audit_guard.py) and put back after."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from onedoor.accounts.models import User
    from onedoor.core.audit_guard import audit_guard_lifted
    from onedoor.core.models import AuditEvent
    from onedoor.messaging.models import Message
    from onedoor.police.models import PoliceBatch, PoliceChunk, PoliceRowError, PoliceVictimRecord
    from onedoor.referrals.models import Allocation, Referral, SignpostRecord, StatusEvent

    models: list[Any] = [
        PoliceVictimRecord,
        PoliceRowError,
        PoliceChunk,
        PoliceBatch,
        Message,
        Allocation,
        StatusEvent,
        Referral,
        SignpostRecord,
        AuditEvent,
        DBTaskResult,
    ]
    tables = ", ".join(f'"{m._meta.db_table}"' for m in models)
    with audit_guard_lifted(connection), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    User.objects.filter(email__endswith="police.example").delete()


def start_workers(n: int, database_url: str) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "onedoor.settings",
        "ONEDOOR_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.1", "--no-startup-delay"]
    return [
        subprocess.Popen(  # noqa: S603 - our own manage.py
            [*command, "--worker-id", f"bench-{os.getpid()}-{i}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(n)
    ]


def stop_workers(workers: list[subprocess.Popen[bytes]], sig: int = signal.SIGTERM) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(sig)
    for w in workers:
        try:
            w.wait(timeout=30)
        except subprocess.TimeoutExpired:
            w.kill()
            w.wait()


def wait_until_done(batch_id: int, timeout: float = 900) -> Any:
    from onedoor.police.models import BatchStatus, PoliceBatch

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = PoliceBatch.objects.get(pk=batch_id)
        if batch.status != BatchStatus.RUNNING:
            return batch
        time.sleep(0.2)
    raise TimeoutError(f"batch {batch_id} still running after {timeout:.0f} s")


def timed_import(path: Path, workers: int, database_url: str) -> tuple[float, float, Any]:
    """(seconds for the upload alone, seconds from upload to completion, the batch)."""
    from onedoor.core.context import origin
    from onedoor.police.chunks import police_batch_upload

    wipe()
    procs = start_workers(workers, database_url)
    try:
        time.sleep(4)  # let the workers start (Django set-up) before the clock does
        started = time.perf_counter()
        with origin("cli", "bench"), path.open("rb") as f:
            batch = police_batch_upload(f=f, file_name=path.name, actor=None, channel="api")
        uploaded = time.perf_counter() - started
        batch = wait_until_done(batch.pk)
        return uploaded, time.perf_counter() - started, batch
    finally:
        stop_workers(procs)


def scaling(path: Path, rows: int, database_url: str) -> dict[str, float]:
    """Import throughput with 1 and with 2 workers, printed, and returned for the caller."""
    results: dict[int, float] = {}
    for n in (1, 2):
        uploaded, elapsed, batch = timed_import(path, n, database_url)
        results[n] = rows / elapsed
        print(
            f"   {n} worker{'s' if n > 1 else ''}: upload answered in {uploaded:.1f} s; batch {batch.status} "
            f"{elapsed:.1f} s after the upload began = {results[n]:,.0f} rows/s"
        )
    ratio = results[2] / results[1]
    per_worker = results[1]
    national = 5_800_000
    needed_linear = national / (per_worker * 900)
    needed_measured = national / (results[2] / 2 * 900)
    print(f"   2 workers / 1 worker = {ratio:.2f}x   (target at least 1.5x)")
    print(
        f"   per-worker rate {per_worker:,.0f} rows/s: a national year (5.8 million rows) in 15 minutes needs "
        f"{needed_linear:.1f} workers at that rate, {needed_measured:.1f} at the 2-worker rate per worker, "
        "with a database that has the cores to keep up"
    )
    return {"one": results[1], "two": results[2], "ratio": ratio}

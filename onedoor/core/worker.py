"""The task worker that never silently stops (`manage.py onedoor_worker`, ADR 0008).

It runs django-tasks-db's worker loop (claim the next ready task, run it, record the result) with three
things added:

- **Reconnect with backoff.** A database error that means "the database went away" (a restart, a killed
  connection) no longer ends the process: the worker drops its connections, waits 0.5 s, 1 s, 2 s ... up
  to 30 s, and carries on. A task that was running when it happened is given back to the queue.
- **Stuck-task recovery.** Every worker sends a heartbeat from a thread of its own, also while a task
  runs. A task left "running" whose worker has sent no heartbeat for `ONEDOOR_TASK_STUCK_SECONDS` (its
  worker died: kill -9, a lost machine) is made ready again, and runs again, up to `MAX_TASK_ATTEMPTS`
  runs in all; then it is marked failed, which the health endpoint and the admin count. So every task
  must be safe to run twice: sending is (a message is claimed before it is sent), and so must any other.
- **Periodic jobs.** Apps register jobs (`periodic_register`); each runs once per interval across all the
  workers (whoever wins a conditional UPDATE of `PeriodicJobRun`). Messaging registers the sending of
  whatever is due, every minute.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import origin
from onedoor.core.models import PeriodicJobRun, WorkerHeartbeat

log = logging.getLogger(__name__)

# "The database went away": reconnect and carry on. Any other error is the task's own.
DATABASE_GONE = (OperationalError, InterfaceError)
MAX_TASK_ATTEMPTS = 3
BACKOFF_MIN = 0.5
BACKOFF_MAX = 30.0
PERIODIC_CHECK_SECONDS = 5.0
ABANDONED = "onedoor.core.worker.TaskAbandoned"


class TaskAbandoned(Exception):
    """Recorded on a task given up after MAX_TASK_ATTEMPTS runs that never finished."""


@dataclass(frozen=True)
class Periodic:
    name: str
    every_seconds: float
    func: Callable[[], object]


_periodic: dict[str, Periodic] = {}


def periodic_register(*, name: str, every_seconds: float, func: Callable[[], object]) -> None:
    """Run `func` in the worker loop every `every_seconds`, once across all workers. Call from AppConfig.ready."""
    _periodic[name] = Periodic(name=name, every_seconds=every_seconds, func=func)


def periodic_jobs() -> list[Periodic]:
    return list(_periodic.values())


def periodic_claim(*, name: str, every_seconds: float, now: datetime | None = None) -> bool:
    """True for the one worker that may run job `name` now: it moved `last_run_at` on with a conditional
    UPDATE, which no other worker can also win for the same interval."""
    moment = now or timezone.now()
    due_before = moment - timedelta(seconds=every_seconds)
    PeriodicJobRun.objects.get_or_create(name=name, defaults={"last_run_at": due_before - timedelta(seconds=1)})
    return bool(PeriodicJobRun.objects.filter(name=name, last_run_at__lte=due_before).update(last_run_at=moment))


def periodic_succeeded(*, name: str, now: datetime | None = None) -> None:
    PeriodicJobRun.objects.filter(name=name).update(last_ok_at=now or timezone.now(), failures_in_a_row=0)


def periodic_failed(*, name: str, error: BaseException, now: datetime | None = None) -> None:
    """Count a failed run. Only the exception's class is kept: its message may quote data."""
    PeriodicJobRun.objects.filter(name=name).update(
        last_failed_at=now or timezone.now(),
        failures_in_a_row=F("failures_in_a_row") + 1,
        last_error=f"{type(error).__module__}.{type(error).__qualname__}"[:120],
    )


def periodic_jobs_failing(*, threshold: int) -> list[str]:
    """The periodic jobs whose last `threshold` runs or more all failed."""
    return sorted(PeriodicJobRun.objects.filter(failures_in_a_row__gte=threshold).values_list("name", flat=True))


def live_workers(*, now: datetime | None = None) -> int:
    """Workers that sent a heartbeat within ONEDOOR_TASK_STUCK_SECONDS."""
    cutoff = (now or timezone.now()) - timedelta(seconds=stuck_seconds())
    return WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).count()


def stuck_seconds() -> int:
    return int(settings.ONEDOOR_TASK_STUCK_SECONDS)


def heartbeat_seconds() -> float:
    """Often enough that a live worker is never taken for a dead one."""
    return max(min(stuck_seconds() / 4, 15.0), 0.2)


def worker_heartbeat(*, worker_id: str, now: datetime | None = None) -> None:
    moment = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=moment)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            worker_id=worker_id,
            defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": moment},
        )


def tasks_stuck(*, now: datetime | None = None) -> list[DBTaskResult[..., Any]]:
    """Running tasks whose worker has sent no heartbeat for ONEDOOR_TASK_STUCK_SECONDS."""
    cutoff = (now or timezone.now()) - timedelta(seconds=stuck_seconds())
    alive = set(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list("worker_id", flat=True))
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    return [t for t in running if not t.worker_ids or t.worker_ids[-1] not in alive]


def tasks_recover_stuck(*, now: datetime | None = None) -> int:
    """Give stuck tasks back to the queue (or fail those that have had MAX_TASK_ATTEMPTS runs), each
    under its row lock, with an audit row. Generic over tasks: it knows nothing of what they do.
    Returns how many it recovered or failed."""
    moment = now or timezone.now()
    done = 0
    for candidate in tasks_stuck(now=moment):
        with transaction.atomic():
            task = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=candidate.pk, status=candidate.status, started_at=candidate.started_at)
                .first()
            )
            if task is None:
                continue  # finished, or taken by another worker's recovery meanwhile
            attempts = len(task.worker_ids)
            if attempts >= MAX_TASK_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = moment
                task.exception_class_path = ABANDONED
                task.traceback = f"Abandoned: {attempts} runs never finished (each worker stopped mid-task)."
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                action = AuditAction.TASK_ABANDONED
            else:
                task.status = TaskResultStatus.READY
                task.save(update_fields=["status"])
                action = AuditAction.TASK_RECOVERED
            audit_record(actor=None, action=action, obj=task, detail={"task": task.task_path, "attempts": attempts})
        log.warning("task %s (%s) %s after %s run(s)", task.pk, task.task_path, action.split(".")[1], attempts)
        done += 1
    # Forget workers gone for a day: their tasks have long been recovered.
    WorkerHeartbeat.objects.filter(last_seen__lt=moment - timedelta(days=1)).delete()
    return done


def _recover() -> None:
    with origin("task", "tasks_recover_stuck"):
        tasks_recover_stuck()


def drop_connections() -> None:
    """Close this thread's database connections, whatever state they are in, so the next query reconnects."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(Exception):  # a dead connection may fail to close; it is discarded anyway
            conn.close()


class Heartbeat(threading.Thread):
    """Refreshes this worker's heartbeat from its own thread and connection, also while a task runs."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(heartbeat_seconds()):
            try:
                worker_heartbeat(worker_id=self.worker_id)
            except Exception as exc:  # never let the heartbeat thread die: a dead one makes a live worker look dead
                log.warning("worker %s: heartbeat failed (%s)", self.worker_id, type(exc).__name__)
            finally:
                drop_connections()

    def stop(self) -> None:
        self.stopped.set()


class SupervisedWorker(Worker):
    """django-tasks-db's Worker, with reconnect-and-backoff, heartbeats, recovery and periodic jobs."""

    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.next_periodic = 0.0
        self.reconnects = 0

    def run(self) -> None:
        log.info("worker %s starting (stuck after %ss)", self.worker_id, stuck_seconds())
        if self.startup_delay and self.interval:
            self.sleep(0.5)
        heartbeat = Heartbeat(self.worker_id)
        backoff = BACKOFF_MIN
        try:
            while self.running:
                if heartbeat.ident is None:  # first beat here, so the worker is known before its first task
                    with contextlib.suppress(*DATABASE_GONE):  # an outage: the loop below backs off
                        worker_heartbeat(worker_id=self.worker_id)
                    heartbeat.start()
                try:
                    worked, idle = self.step()
                    backoff = BACKOFF_MIN
                except DATABASE_GONE as exc:
                    self.reconnects += 1
                    log.warning(
                        "worker %s: database unavailable (%s); retrying in %.1fs",
                        self.worker_id,
                        type(exc).__name__,
                        backoff,
                    )
                    drop_connections()
                    self.sleep(backoff)
                    backoff = min(backoff * 2, BACKOFF_MAX)
                    continue
                if self.batch and idle:
                    log.info("worker %s: no more tasks, exiting", self.worker_id)
                    return
                if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                    log.info("worker %s ran %s tasks, exiting", self.worker_id, self._run_tasks)
                    return
                if self.running and not worked:
                    self.sleep(self.interval)
        finally:
            heartbeat.stop()
            with contextlib.suppress(DatabaseError):  # if the database is away, the row goes stale instead
                WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            drop_connections()

    def step(self) -> tuple[bool, bool]:
        """One turn of the loop: periodic jobs when due, then at most one task. Returns (ran a task,
        found the queue empty)."""
        close_old_connections()
        self.run_periodic()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        task_result = None
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)  # status RUNNING, started_at, our worker id
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            return False, False  # SQLite busy: try again
        if task_result is None:
            return False, True
        self.run_task(task_result)
        close_old_connections()
        return True, False

    def run_periodic(self) -> None:
        now = time.monotonic()
        if now < self.next_periodic:
            return
        self.next_periodic = now + PERIODIC_CHECK_SECONDS
        for job in [Periodic("tasks_recover_stuck", max(stuck_seconds() / 2, 1.0), _recover), *periodic_jobs()]:
            if not periodic_claim(name=job.name, every_seconds=job.every_seconds):
                continue
            try:
                job.func()
            except DATABASE_GONE:
                raise
            except Exception as exc:
                log.exception("periodic job %s failed", job.name)
                periodic_failed(name=job.name, error=exc)
            else:
                periodic_succeeded(name=job.name)

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        """As django-tasks-db runs a task, except that a task interrupted by the database going away is
        given back to the queue (then the loop reconnects) rather than marked failed."""
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend = task.get_backend()
            task_started.send(sender=type(backend), task_result=task_result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
            else:
                value = task.call(*task_result.args, **task_result.kwargs)
            db_task_result.set_successful(value)
            task_finished.send(sender=type(backend), task_result=db_task_result.task_result)
        except DATABASE_GONE as exc:
            locked = isinstance(exc, OperationalError) and is_locked_database_exception(exc)
            if locked or len(db_task_result.worker_ids) < MAX_TASK_ATTEMPTS:
                drop_connections()
                # If the database is still away this raises too, and recovery gives the task back later.
                DBTaskResult.objects.filter(pk=db_task_result.pk, status=TaskResultStatus.RUNNING).update(
                    status=TaskResultStatus.READY
                )
                log.warning("task %s given back: the database went away while it ran", db_task_result.pk)
                raise
            self._fail(db_task_result, exc)
        except BaseException as exc:
            self._fail(db_task_result, exc)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _fail(self, db_task_result: DBTaskResult[..., Any], exc: BaseException) -> None:
        db_task_result.set_failed(exc)
        log.warning("task %s (%s) failed: %s", db_task_result.pk, db_task_result.task_path, type(exc).__name__)
        try:
            task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)
        except Exception:
            log.exception("task %s failed unexpectedly", db_task_result.pk)

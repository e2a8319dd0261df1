"""The supervised worker: stuck tasks come back and run once more, the loop outlives the database going
away (in process, and as a real `manage.py onedoor_worker` whose connections PostgreSQL kills), and
periodic jobs run once per interval however many workers there are."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from onedoor.core import worker as worker_module
from onedoor.core.models import AuditEvent, PeriodicJobRun, WorkerHeartbeat
from onedoor.core.worker import MAX_TASK_ATTEMPTS, SupervisedWorker, periodic_claim, tasks_recover_stuck
from onedoor.messaging.models import Message, MessageStatus
from onedoor.messaging.tasks import send_messages
from tests.messaging.test_sending import RecordingBackend, _queued

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def db_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ONEDOOR_MESSAGE_BACKEND = "tests.messaging.test_sending.RecordingBackend"
    RecordingBackend.calls = []
    RecordingBackend.fail_temporarily = False
    RecordingBackend.latency = 0.0


def _worker(**overrides: Any) -> SupervisedWorker:
    options: dict[str, Any] = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "w-test",
        "excluded_queue_names": [],
    }
    w = SupervisedWorker(**{**options, **overrides})
    w.sleep = lambda seconds: None
    return w


def _left_running(*, started: timedelta, worker_ids: list[str]) -> tuple[DBTaskResult[..., Any], Message]:
    [message] = _queued()
    result = send_messages.enqueue(message_ids=[message.pk])
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", started_at=timezone.now() - started, worker_ids=worker_ids
    )
    return DBTaskResult.objects.get(pk=result.id), message


def test_a_task_left_running_by_a_dead_worker_runs_again_once(settings: Settings) -> None:
    settings.ONEDOOR_TASK_STUCK_SECONDS = 60
    task, message = _left_running(started=timedelta(minutes=5), worker_ids=["dead-worker"])
    _worker().run()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.worker_ids == ["dead-worker", "w-test"]
    assert [c["reference"] for c in RecordingBackend.calls] == [str(message.reference)]
    assert AuditEvent.objects.filter(action="task.recovered", object_id=str(task.pk)).count() == 1
    # Running the worker again, and recovery again, change nothing: the message went once.
    assert tasks_recover_stuck() == 0
    _worker(worker_id="w-other").run()
    assert len(RecordingBackend.calls) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and message.attempts == 1


def test_a_long_task_of_a_live_worker_is_left_alone(settings: Settings) -> None:
    settings.ONEDOOR_TASK_STUCK_SECONDS = 60
    task, _ = _left_running(started=timedelta(minutes=5), worker_ids=["busy-worker"])
    WorkerHeartbeat.objects.create(worker_id="busy-worker", last_seen=timezone.now())
    assert tasks_recover_stuck() == 0
    assert DBTaskResult.objects.get(pk=task.pk).status == "RUNNING"
    # A recent start is not stuck either, heartbeat or not.
    _left_running(started=timedelta(seconds=10), worker_ids=["gone"])
    assert tasks_recover_stuck() == 0


def test_a_task_that_never_finishes_is_failed_after_its_attempts(settings: Settings) -> None:
    settings.ONEDOOR_TASK_STUCK_SECONDS = 60
    dead = [f"dead-{n}" for n in range(MAX_TASK_ATTEMPTS)]
    task, _ = _left_running(started=timedelta(minutes=5), worker_ids=dead)
    assert tasks_recover_stuck() == 1
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path == worker_module.ABANDONED
    assert AuditEvent.objects.filter(action="task.abandoned", object_id=str(task.pk)).exists()


def test_the_loop_backs_off_and_carries_on_when_the_database_goes_away(monkeypatch: pytest.MonkeyPatch) -> None:
    [message] = _queued()
    send_messages.enqueue(message_ids=[message.pk])
    real_ready = DBTaskResult.objects.ready
    failures = {"left": 3}

    def flaky_ready() -> Any:
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real_ready()

    monkeypatch.setattr(DBTaskResult.objects, "ready", flaky_ready)
    w = _worker()
    slept: list[float] = []
    w.sleep = slept.append
    w.run()
    assert slept == [0.5, 1.0, 2.0]
    assert w.reconnects == 3
    assert [c["reference"] for c in RecordingBackend.calls] == [str(message.reference)]


def test_a_task_cut_off_by_the_database_is_given_back_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    [message] = _queued()
    result = send_messages.enqueue(message_ids=[message.pk])
    calls = {"n": 0}
    real_send = RecordingBackend.send

    def send_once_broken(self: Any, outgoing: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real_send(self, outgoing)

    monkeypatch.setattr(RecordingBackend, "send", send_once_broken)
    monkeypatch.setattr(django_settings, "ONEDOOR_MESSAGE_CLAIM_SECONDS", 0)  # the dead claim frees at once
    assert periodic_claim(name="messages_send_due", every_seconds=60)  # so that only the task sends
    w = _worker()
    w.run()
    task = DBTaskResult.objects.get(pk=result.id)
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2
    assert w.reconnects == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


def test_a_periodic_job_runs_once_per_interval_across_workers() -> None:
    now = timezone.now()
    assert periodic_claim(name="job", every_seconds=60, now=now)
    assert not periodic_claim(name="job", every_seconds=60, now=now)  # a second worker, same moment
    assert not periodic_claim(name="job", every_seconds=60, now=now + timedelta(seconds=59))
    assert periodic_claim(name="job", every_seconds=60, now=now + timedelta(seconds=60))
    assert PeriodicJobRun.objects.get(name="job").last_run_at == now + timedelta(seconds=60)


def test_due_messages_are_sent_by_the_worker_without_a_command(settings: Settings) -> None:
    """A message deferred by quiet hours has come due, and its task was lost: the worker's every-minute
    job sends it."""
    [message] = _queued()
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now() - timedelta(minutes=1))
    assert not DBTaskResult.objects.exists()
    _worker().run()
    assert [c["reference"] for c in RecordingBackend.calls] == [str(message.reference)]
    assert PeriodicJobRun.objects.filter(name="messages_send_due").exists()


# -- a real worker process against PostgreSQL -------------------------------------------------------------


def _wait(what: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker_process(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    db = connection.settings_dict

    def start() -> subprocess.Popen[str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "onedoor.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "ONEDOOR_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "ONEDOOR_MESSAGE_BACKEND": "onedoor.messaging.backends.FileBackend",
            "ONEDOOR_MESSAGE_OUTBOX": str(tmp_path / "outbox.jsonl"),
        }
        cmd = [sys.executable, "manage.py", "onedoor_worker", "--interval", "0.2", "--no-startup-delay"]
        proc = subprocess.Popen(  # noqa: S603 - our own command
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _as_admin(sql: str) -> Any:
    """Run one statement on the server's `postgres` database, outside the test database."""
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True) as c:
        cur = c.execute(sql)
        return cur.fetchone()[0] if cur.description else None  # type: ignore[index]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="kills PostgreSQL connections")
def test_the_worker_process_outlives_its_connections_being_killed(
    worker_process: Callable[[], subprocess.Popen[str]],
) -> None:
    def delivered(message: Message) -> Callable[[], bool]:
        return lambda: Message.objects.get(pk=message.pk).status == MessageStatus.DELIVERED

    [first] = _queued()
    send_messages.enqueue(message_ids=[first.pk])
    proc = worker_process()
    assert _wait(delivered(first)), "the worker never sent the first message"

    # PostgreSQL kills every connection of the worker's, and refuses new ones for three seconds, as
    # during a restart.
    name = connection.settings_dict["NAME"]
    _as_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        killed = _as_admin(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "  # noqa: S608 - our own names
            f"WHERE datname = '{name}' AND pid <> {connection.connection.info.backend_pid}"
        )
        assert killed >= 1
        time.sleep(3)
    finally:
        _as_admin(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert proc.poll() is None, "the worker exited"
    [second] = _queued()
    Message.objects.filter(pk=second.pk).update(to="+447700900199")
    send_messages.enqueue(message_ids=[second.pk])
    assert _wait(delivered(second)), "the worker did not carry on after the outage"
    assert proc.poll() is None
    proc.terminate()
    out, _ = proc.communicate(timeout=10)
    assert "database unavailable" in out

"""The worker's own housekeeping: every job an operator was told to run by hand is now scheduled, old rows
are pruned in batches, a periodic job that keeps failing shows on /health/ready, and a backlog with no live
worker says so."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import Settings

from onedoor.core import worker as worker_module
from onedoor.core.housekeeping import task_results_prune
from onedoor.core.models import PeriodicJobRun, SubmissionKey, WorkerHeartbeat
from onedoor.core.worker import periodic_jobs, periodic_register
from onedoor.messaging.models import SendWindow
from onedoor.messaging.services import send_windows_prune

pytestmark = pytest.mark.django_db


def _task(status: str, *, finished_ago: timedelta | None, enqueued_ago: timedelta = timedelta(0)) -> object:
    now = timezone.now()
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="onedoor.messaging.tasks.send_messages",
        backend_name="default",
        enqueued_at=now - enqueued_ago,
        finished_at=None if finished_ago is None else now - finished_ago,
    )
    if enqueued_ago:
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=now - enqueued_ago)
    return row.pk


def test_every_recovery_and_pruning_job_is_scheduled() -> None:
    names = {job.name: job.every_seconds for job in periodic_jobs()}
    assert names["police_batches_resume_stale"] == 300
    assert names["submission_keys_purge"] == 3600
    assert names["send_windows_prune"] == 3600
    assert names["task_results_prune"] == 24 * 3600
    assert names["messages_send_due"] == 60


def test_old_finished_task_results_are_pruned_and_waiting_ones_never(settings: Settings) -> None:
    settings.ONEDOOR_TASK_RESULTS_KEEP_DAYS = 14
    settings.ONEDOOR_FAILED_TASK_RESULTS_KEEP_DAYS = 30
    old_ok = _task("SUCCESSFUL", finished_ago=timedelta(days=15))
    new_ok = _task("SUCCESSFUL", finished_ago=timedelta(days=13))
    old_failed = _task("FAILED", finished_ago=timedelta(days=31))
    kept_failed = _task("FAILED", finished_ago=timedelta(days=20))
    ready = _task("READY", finished_ago=None, enqueued_ago=timedelta(days=40))
    assert task_results_prune() == 2
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {new_ok, kept_failed, ready}
    assert old_ok not in left
    assert old_failed not in left
    assert task_results_prune() == 0


def test_send_windows_older_than_a_day_are_pruned() -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    SendWindow.objects.create(minute=now - timedelta(days=2), count=5)
    SendWindow.objects.create(minute=now - timedelta(hours=2), count=5)
    SendWindow.objects.create(minute=now, count=1)
    assert send_windows_prune(now=now) == 1
    assert SendWindow.objects.count() == 2


def test_expired_submission_keys_are_purged_by_the_scheduled_job() -> None:
    job = next(j for j in periodic_jobs() if j.name == "submission_keys_purge")
    for key, hours in (("old", -1), ("new", 1)):
        SubmissionKey.objects.create(
            scope="test",
            key=key,
            fingerprint="x",
            status_code=201,
            result={},
            expires_at=timezone.now() + timedelta(hours=hours),
        )
    job.func()
    assert list(SubmissionKey.objects.values_list("key", flat=True)) == ["new"]


def _ready(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    return response.status_code, json.loads(response.content)


def test_a_periodic_job_that_keeps_failing_makes_ready_fail_and_says_which(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0, "fail": True}

    def flaky() -> None:
        calls["n"] += 1
        if calls["fail"]:
            raise RuntimeError("a message that may quote data: Jane Doe 07700900123")

    monkeypatch.setattr(worker_module, "_periodic", {})
    periodic_register(name="flaky", every_seconds=0, func=flaky)
    runner = worker_module.SupervisedWorker.__new__(worker_module.SupervisedWorker)
    for _ in range(3):
        runner.next_periodic = 0.0
        PeriodicJobRun.objects.filter(name="flaky").update(last_run_at=timezone.now() - timedelta(seconds=5))
        runner.run_periodic()
    row = PeriodicJobRun.objects.get(name="flaky")
    assert calls["n"] == 3 and row.failures_in_a_row == 3 and row.last_ok_at is None
    assert row.last_error == "builtins.RuntimeError"  # the class only, never the message
    status, body = _ready(client)
    assert status == 503 and "periodic_job_failing:flaky" in body["problems"]
    assert "Jane" not in json.dumps(body)
    calls["fail"] = False
    runner.next_periodic = 0.0
    PeriodicJobRun.objects.filter(name="flaky").update(last_run_at=timezone.now() - timedelta(seconds=5))
    runner.run_periodic()
    assert PeriodicJobRun.objects.get(name="flaky").failures_in_a_row == 0
    assert _ready(client)[0] == 200


def test_tasks_waiting_with_no_live_worker_make_ready_fail(client: Client, settings: Settings) -> None:
    settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS = 3600
    _task("READY", finished_ago=None, enqueued_ago=timedelta(seconds=120))
    status, body = _ready(client)
    assert status == 503 and body["problems"] == ["no_live_worker"]
    assert body["backlog"]["live_workers"] == 0
    WorkerHeartbeat.objects.create(worker_id="w1", last_seen=timezone.now())
    assert _ready(client)[0] == 200
    settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS = 60
    status, body = _ready(client)
    assert status == 503 and body["problems"] == ["tasks_waiting_too_long"]

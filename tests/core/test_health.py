"""Health and readiness: /health/live without the database, /health/ready with the backlog and its
thresholds, and the same backlog on the admin's "Workers and backlog" page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django import DjangoAssertNumQueries, Settings

from onedoor.accounts.models import Role, User
from onedoor.core.models import WorkerHeartbeat
from onedoor.messaging.models import Message
from tests.messaging.test_sending import _queued


def _get(client: Client, path: str) -> tuple[int, dict[str, Any], Any]:
    response = client.get(path)
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, json.loads(response.content), response


@pytest.mark.django_db
def test_live_answers_without_touching_the_database(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        status, body, _ = _get(client, "/health/live")
    assert (status, body) == (200, {"status": "ok"})
    assert client.head("/health/live").status_code == 200  # load balancers often ask with HEAD
    assert client.post("/health/live").status_code == 405


@pytest.mark.django_db
def test_ready_reports_an_empty_backlog(client: Client) -> None:
    status, body, _ = _get(client, "/health/ready")
    assert status == 200 and body["status"] == "ok" and body["problems"] == []
    assert body["backlog"]["oldest_due_message_age_seconds"] is None
    assert body["backlog"]["failed_tasks_last_day"] == 0


@pytest.mark.django_db
def test_ready_fails_when_a_message_has_waited_too_long(client: Client, settings: Settings) -> None:
    settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS = 600
    [message] = _queued()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=300))
    status, body, _ = _get(client, "/health/ready")
    assert status == 200 and 299 < body["backlog"]["oldest_due_message_age_seconds"] < 330
    assert body["backlog"]["due_messages"] == 1
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(seconds=900))
    status, body, response = _get(client, "/health/ready")
    assert status == 503 and body["problems"] == ["messages_waiting_too_long"]
    assert message.to.removeprefix("+") not in response.content.decode()  # nothing personal
    # Deferred to later (quiet hours) is not a backlog, however old the message.
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now() + timedelta(hours=1))
    status, body, _ = _get(client, "/health/ready")
    assert status == 200 and body["backlog"]["oldest_due_message_age_seconds"] is None


def _task(status: str, finished_ago: timedelta) -> None:
    DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="onedoor.messaging.tasks.send_messages",
        backend_name="default",
        finished_at=timezone.now() - finished_ago,
    )


@pytest.mark.django_db
def test_ready_fails_when_too_many_tasks_failed_in_a_day(client: Client, settings: Settings) -> None:
    settings.ONEDOOR_BACKLOG_MAX_FAILED_TASKS = 2
    _task("FAILED", timedelta(hours=1))
    _task("FAILED", timedelta(days=2))  # too old to count
    _task("SUCCESSFUL", timedelta(hours=1))
    status, body, _ = _get(client, "/health/ready")
    assert status == 200 and body["backlog"]["failed_tasks_last_day"] == 1
    _task("FAILED", timedelta(minutes=1))
    status, body, _ = _get(client, "/health/ready")
    assert status == 503 and body["problems"] == ["too_many_failed_tasks"]


@pytest.mark.django_db
def test_ready_answers_503_when_the_database_is_unreachable(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "ensure_connection", unreachable)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.django_db
def test_the_admin_shows_workers_and_the_backlog(
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    settings: Settings,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS = 60
    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    admin_user.is_staff = True
    admin_user.save()
    client = signed_in_client(admin_user)
    for n in range(3):
        WorkerHeartbeat.objects.create(worker_id=f"w{n}", hostname="worker-host-7", pid=100 + n)
    [message] = _queued()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    _task("FAILED", timedelta(minutes=1))
    with django_assert_max_num_queries(20):
        response = client.get("/admin/core/workerheartbeat/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Workers and backlog" in page and "Failed tasks in the last day" in page
    assert "Messages have waited longer than 60 seconds" in page
    assert page.count("worker-host-7") == 3
    assert "7700900100" not in page
    # The page is for administrators only, as the rest of the admin.
    analyst = make_user(Role.COMMISSIONER_ANALYST, "opcc")
    analyst.is_staff = True
    analyst.save()
    assert signed_in_client(analyst).get("/admin/core/workerheartbeat/").status_code == 302

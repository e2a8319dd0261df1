"""Health, readiness and the background-work backlog, for an operator and their monitoring.

- `GET /health/live`: the process is up and answering. Touches no database, so a database outage does
  not make a supervisor restart healthy web processes.
- `GET /health/ready`: the database answers, and the backlog is under its thresholds: the oldest due
  message and the oldest ready task have waited less than ONEDOOR_BACKLOG_MAX_AGE_SECONDS, fewer than
  ONEDOOR_BACKLOG_MAX_FAILED_TASKS tasks failed in the last day, some worker is alive when tasks wait,
  no periodic job has failed PERIODIC_FAILURES_ALERT times in a row, and the message provider is not
  refusing OneDoor's key. 503 otherwise, with the reasons.

Both answer JSON with counts, ages and reason codes only (nothing personal), and are never cached. The
backlog figures come from probes the apps register (`backlog_register`), so that core, below messaging
in the layers, needs to know nothing about messages; the admin shows the same figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from onedoor.core.access import public
from onedoor.core.worker import live_workers, periodic_jobs_failing, tasks_stuck

FAILED_TASK_WINDOW = timedelta(days=1)
# A periodic job that failed this many runs in a row is reported: once may be a blip, three is not.
PERIODIC_FAILURES_ALERT = 3
# Tasks waiting this long with no live worker at all mean nothing will ever run them.
NO_WORKER_GRACE_SECONDS = 60

# name -> probe(now) giving a number (a count, or an age in seconds, or None when there is nothing)
_probes: dict[str, Callable[[datetime], float | int | None]] = {}


def backlog_register(*, name: str, probe: Callable[[datetime], float | int | None]) -> None:
    """Add a figure to the backlog (health and admin). Call from AppConfig.ready."""
    _probes[name] = probe


@dataclass(frozen=True)
class Backlog:
    figures: dict[str, float | int | None]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _oldest_ready_task_age(now: datetime) -> float | None:
    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return round((now - oldest).total_seconds(), 1) if oldest else None


def backlog(*, now: datetime | None = None) -> Backlog:
    """The backlog's figures and, for each threshold passed, a problem code."""
    moment = now or timezone.now()
    figures: dict[str, float | int | None] = {
        "failed_tasks_last_day": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=moment - FAILED_TASK_WINDOW
        ).count(),
        "stuck_tasks": len(tasks_stuck(now=moment)),
        "ready_tasks": DBTaskResult.objects.ready().count(),
        "oldest_ready_task_age_seconds": _oldest_ready_task_age(moment),
        "live_workers": live_workers(now=moment),
    }
    failing = periodic_jobs_failing(threshold=PERIODIC_FAILURES_ALERT)
    figures["periodic_jobs_failing"] = len(failing)
    for name, probe in _probes.items():
        figures[name] = probe(moment)
    problems = []
    age = figures.get("oldest_due_message_age_seconds")
    if age is not None and age > settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS:
        problems.append("messages_waiting_too_long")
    if figures.get("messages_held_by_provider"):
        problems.append("message_provider_refusing")
    failed = figures["failed_tasks_last_day"]
    if failed is not None and failed >= settings.ONEDOOR_BACKLOG_MAX_FAILED_TASKS:
        problems.append("too_many_failed_tasks")
    task_age = figures["oldest_ready_task_age_seconds"]
    if task_age is not None and task_age > settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS:
        problems.append("tasks_waiting_too_long")
    if task_age is not None and task_age > NO_WORKER_GRACE_SECONDS and not figures["live_workers"]:
        problems.append("no_live_worker")
    problems.extend(f"periodic_job_failing:{name}" for name in failing)
    return Backlog(figures=figures, problems=problems)


def _answer(body: dict[str, object], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@public
@require_safe
@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return _answer({"status": "ok"}, 200)


@public
@require_safe
@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        found = backlog()
    except DatabaseError:
        return _answer({"status": "unavailable", "database": "unreachable"}, 503)
    body: dict[str, object] = {
        "status": "ok" if found.ok else "backlog",
        "database": "ok",
        "backlog": found.figures,
        "thresholds": {
            "max_age_seconds": settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS,
            "max_failed_tasks": settings.ONEDOOR_BACKLOG_MAX_FAILED_TASKS,
        },
        "problems": found.problems,
    }
    return _answer(body, 200 if found.ok else 503)

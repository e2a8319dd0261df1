"""The admin's "Workers and backlog" page: the live workers, and the backlog figures the health
endpoint reports (onedoor/core/health.py), with the thresholds that make /health/ready fail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from onedoor.core.health import backlog
from onedoor.core.models import PeriodicJobRun, WorkerHeartbeat

LABELS = {
    "oldest_due_message_age_seconds": "Oldest queued message: seconds waiting since it came due",
    "due_messages": "Queued messages due now",
    "failed_tasks_last_day": "Failed tasks in the last day",
    "stuck_tasks": "Stuck tasks (running, their worker silent)",
    "ready_tasks": "Tasks waiting for a worker",
    "oldest_ready_task_age_seconds": "Oldest waiting task: seconds since it was enqueued",
    "live_workers": "Live workers (a heartbeat within the stuck-task time)",
    "periodic_jobs_failing": "Periodic jobs that failed 3 runs in a row",
    "messages_held_by_provider": "Messages held: the provider refused OneDoor's key",
}
PROBLEMS = {
    "messages_waiting_too_long": "Messages have waited longer than {max_age} seconds. Is a worker running?",
    "tasks_waiting_too_long": "Tasks have waited longer than {max_age} seconds. Are the workers busy or stuck?",
    "no_live_worker": "Tasks are waiting and no worker is alive. Start a worker.",
    "message_provider_refusing": "The message provider refuses OneDoor's API key. Messages are held until it is fixed.",
    "too_many_failed_tasks": "{max_failed} or more tasks failed in the last day. Look at the failed tasks.",
    "periodic_job_failing": "The periodic job {name} failed 3 runs in a row. See Periodic job runs and the worker log.",
}


def problem_text(code: str, limits: dict[str, int]) -> str:
    kind, _, name = code.partition(":")
    return PROBLEMS.get(kind, code).format(**limits, name=name)


@admin.register(PeriodicJobRun)
class PeriodicJobRunAdmin(admin.ModelAdmin[PeriodicJobRun]):
    """When each of the worker's own jobs last ran, last succeeded and last failed (the exception class)."""

    list_display = ["name", "last_run_at", "last_ok_at", "last_failed_at", "failures_in_a_row", "last_error"]
    ordering = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkersAndBacklogAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ["worker_id", "hostname", "pid", "started_at", "last_seen"]
    ordering = ["-last_seen"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        found = backlog()
        limits = {
            "max_age": settings.ONEDOOR_BACKLOG_MAX_AGE_SECONDS,
            "max_failed": settings.ONEDOOR_BACKLOG_MAX_FAILED_TASKS,
        }
        context = {
            **(extra_context or {}),
            "title": "Workers and backlog",
            "backlog_rows": [
                (LABELS.get(name, name), "none" if value is None else value) for name, value in found.figures.items()
            ],
            "backlog_problems": [problem_text(p, limits) for p in found.problems],
            "backlog_limits": limits,
        }
        return super().changelist_view(request, extra_context=context)

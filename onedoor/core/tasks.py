"""Enqueue background work so that it happens if, and only if, the change that caused it commits.

With the database task backend the task row is written inside the caller's transaction: it commits
or rolls back with the change, so nothing is lost, and the worker sees it only after commit.
With any other backend (the inline backend in tests) the enqueue waits for `on_commit`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task_backends
from django_tasks.base import Task

__all__ = ["Task", "enqueue_on_commit", "enqueue_on_commit_after", "tasks_suppressed"]

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("onedoor_tasks_suppressed", default=False)


@contextmanager
def tasks_suppressed() -> Iterator[None]:
    """Enqueue nothing inside this block. Only for loading historical demo data, which has nobody to tell."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    if _suppressed.get():
        return
    backend = task_backends[task.backend]
    if type(backend).__module__.startswith("django_tasks_db"):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))


def enqueue_on_commit_after(task: Task[..., Any], run_after: datetime, **kwargs: Any) -> bool:
    """`enqueue_on_commit` to run no earlier than `run_after`, where the task's backend can defer work.
    Returns False (and enqueues nothing) where it cannot: the caller then has another way to run it later."""
    if not task_backends[task.backend].supports_defer:
        return False
    enqueue_on_commit(task.using(run_after=run_after), **kwargs)
    return True

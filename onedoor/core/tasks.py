"""Enqueue background work so that it happens if, and only if, the change that caused it commits.

With the database task backend the task row is written inside the caller's transaction: it commits
or rolls back with the change, so nothing is lost, and the worker sees it only after commit.
With any other backend (the inline backend in tests) the enqueue waits for `on_commit`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import task_backends

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

"""Tasks are enqueued only through onedoor.core.tasks, so that each waits for the change that caused it to
commit. Ruff bans importing django_tasks outside the task modules (pyproject.toml, banned-api), but a
task's own `.enqueue` needs no import, so this looks for it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "onedoor" / "core" / "tasks.py"


def test_nothing_but_the_wrapper_calls_enqueue() -> None:
    calls = re.compile(r"\.a?enqueue\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "onedoor").rglob("*.py")
        if path != WRAPPER
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if calls.search(line)
    ]
    assert not offenders, f"enqueue a task with onedoor.core.tasks.enqueue_on_commit instead: {offenders}"
    assert calls.search(WRAPPER.read_text()), "the wrapper itself enqueues"

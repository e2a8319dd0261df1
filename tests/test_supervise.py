"""The supervisor behind `make serve`: a process that exits is started again, with backoff; stop ends all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from onedoor.supervise import Child, Supervisor, parse


def run_until(supervisor: Supervisor, done: Callable[[], bool], limit: float = 60) -> float:
    """Step the supervisor until `done()`; returns the seconds it took. Waits on the condition, not a fixed
    time, so that a slow machine (a Python start-up can take a second under load) does not fail the test."""
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < limit, "the supervisor did not get there in time"
        supervisor.step()
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_process_that_exits_is_restarted_with_growing_backoff(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    crash = Child("worker", [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"])
    supervisor = Supervisor([crash], backoff_first=0.1, backoff_max=0.4, stable_after=60)
    took = run_until(supervisor, lambda: len(crash.exits) >= 4)
    supervisor.stop()
    # Started at 0, then again after 0.1, 0.2 and 0.4 s of backoff: the waits add up, and the backoff stops
    # growing at its ceiling.
    assert took >= 0.1 + 0.2 + 0.4
    assert len(starts.read_text()) == len(crash.exits) == 4
    assert set(crash.exits) == {3}
    assert crash.backoff == 0.4


def test_backoff_resets_once_a_process_has_stayed_up(tmp_path: Path) -> None:
    child = Child("web", [sys.executable, "-c", "import time; time.sleep(0.3)"])
    supervisor = Supervisor([child], backoff_first=0.05, backoff_max=10, stable_after=0.2)
    run_until(supervisor, lambda: child.restarts >= 2)
    supervisor.stop()
    assert child.backoff == 0.1  # reset to 0.05 after each stay of 0.3 s, then doubled once: never 0.2


def test_stop_ends_every_process_and_starts_none() -> None:
    children = [Child(name, [sys.executable, "-c", "import time; time.sleep(60)"]) for name in ("web", "worker")]
    supervisor = Supervisor(children, grace=5)
    supervisor.step()
    processes = [c.process for c in children]
    supervisor.stop()
    assert all(p is not None and p.poll() is not None for p in processes)
    supervisor.step()
    assert all(c.process is None for c in children)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    stubborn = Child(
        "stubborn",
        [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"],
    )
    supervisor = Supervisor([stubborn], grace=0.5)
    supervisor.step()
    time.sleep(0.3)
    started = time.monotonic()
    process = stubborn.process
    supervisor.stop()
    assert process is not None and process.returncode == -9 and time.monotonic() - started < 5


def supervised_sleeper(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`python -m onedoor.supervise` running one long sleeper; returns it and the sleeper's pid."""
    pidfile = tmp_path / "pid"
    code = f"import os, time; open('{pidfile}', 'w').write(str(os.getpid())); time.sleep(60)"
    supervisor = subprocess.Popen([sys.executable, "-m", "onedoor.supervise", f'worker={sys.executable} -c "{code}"'])  # noqa: S603
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    return supervisor, int(pidfile.read_text())


def test_sigint_to_the_supervisor_stops_its_children(tmp_path: Path) -> None:
    supervisor, child_pid = supervised_sleeper(tmp_path)
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=20) == 0
    with pytest.raises(ProcessLookupError):
        for _ in range(50):
            os.kill(child_pid, 0)
            time.sleep(0.05)


def test_each_process_is_named() -> None:
    assert [c.name for c in parse(["web=gunicorn onedoor.wsgi", "worker=manage.py db_worker"])] == ["web", "worker"]
    with pytest.raises(SystemExit, match="NAME=COMMAND"):
        parse(["gunicorn onedoor.wsgi"])


def test_children_stop_if_the_supervisor_is_killed(tmp_path: Path) -> None:
    supervisor, child_pid = supervised_sleeper(tmp_path)
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(timeout=10)
    for _ in range(100):
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child_pid, signal.SIGKILL)
    pytest.fail("the child outlived its supervisor")

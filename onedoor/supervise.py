"""A small process supervisor for `make serve`: keeps the web server and the task worker running.

    python -m onedoor.supervise "web=gunicorn -c deploy/gunicorn.conf.py onedoor.wsgi" "worker=manage.py onedoor_worker"

Each process that exits is started again after a backoff (1 s, doubling to 30 s; back to 1 s once it
has stayed up for a minute). Ctrl-C or SIGTERM stops them all: SIGTERM first, SIGKILL after a grace
period. Gunicorn's own master supervises its web workers; this supervises the master and the task
worker. In production, systemd does this job instead (deploy/systemd/, docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
STABLE_AFTER = 60.0
GRACE_SECONDS = 15.0
PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = BACKOFF_FIRST
    restart_at: float = 0.0
    restarts: int = 0
    exits: list[int] = field(default_factory=list)


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        backoff_first: float = BACKOFF_FIRST,
        backoff_max: float = BACKOFF_MAX,
        stable_after: float = STABLE_AFTER,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.children = list(children)
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.grace = grace
        self.stopping = False
        for child in self.children:
            child.backoff = backoff_first

    def _start(self, child: Child) -> None:
        # Its own session, so that a terminal's Ctrl-C reaches the supervisor, which then stops each child;
        # and on Linux, told to stop if the supervisor itself is killed, so that nothing is left orphaned.
        child.process = subprocess.Popen(  # noqa: S603 - our own commands
            child.argv, start_new_session=True, preexec_fn=_die_with_parent
        )
        child.started_at = time.monotonic()
        log(f"{child.name} started (pid {child.process.pid})")

    def step(self) -> None:
        """Start whatever is due; notice whatever exited and schedule its restart."""
        now = time.monotonic()
        for child in self.children:
            if child.process is None:
                if now >= child.restart_at and not self.stopping:
                    self._start(child)
                continue
            code = child.process.poll()
            if code is None:
                continue
            child.exits.append(code)
            child.process = None
            if now - child.started_at >= self.stable_after:
                child.backoff = self.backoff_first
            child.restart_at = now + child.backoff
            child.restarts += 1
            log(f"{child.name} exited with {code}; restarting in {child.backoff:.0f} s")
            child.backoff = min(child.backoff * 2, self.backoff_max)

    def stop(self) -> None:
        self.stopping = True
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            log(f"stopping {child.name}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{child.name} did not stop in {self.grace:.0f} s; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def run(self, *, poll: float = 0.2) -> int:
        def _stop(signum: int, _frame: object) -> None:
            self.stopping = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        try:
            while not self.stopping:
                self.step()
                time.sleep(poll)
        finally:
            self.stop()
        return 0


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def parse(specs: Sequence[str]) -> list[Child]:
    children = []
    for spec in specs:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command.strip():
            raise SystemExit(
                'supervise: give each process as NAME=COMMAND, for example "worker=manage.py onedoor_worker"'
            )
        children.append(Child(name=name, argv=shlex.split(command)))
    return children


def main(argv: Sequence[str] | None = None) -> int:
    specs = list(sys.argv[1:] if argv is None else argv)
    if not specs:
        raise SystemExit(__doc__)
    return Supervisor(parse(specs)).run()


if __name__ == "__main__":
    sys.exit(main())

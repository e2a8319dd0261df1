"""Soak scenario: `kill -9` of the production worker mid-send, then a restart, as a supervisor does.

`scenario_worker_kill(database_url=...)` runs the scenario in a child process of its own (so that it
never disturbs the caller's Django set-up) and returns its figures:

- `sent_twice`: messages the provider received twice (at most one per kill: the message in flight);
- `never_sent`: messages the provider never received (must be 0);
- `kills`, `messages`, `seconds`, `still_queued`, `tasks_recovered` (stuck tasks given back by the
  worker) and `tasks_abandoned` (tasks killed three times, given up; their messages are still sent).

The database must exist; it is migrated, and its messages, tasks and send windows are deleted first, so
give it a database of its own. The fake Notify API answers after `latency` seconds on 127.0.0.1:`port`.
Each kill happens while a send is in flight at the fake Notify, after the fake has accepted it: the worst
moment, when the provider has the message and the worker has not recorded it.

`scenario_worker_db_restart(port=5437)` restarts a private PostgreSQL cluster under a running worker.

Also runnable on its own: `python bench/soak_worker.py --database-url postgres://...`, and
`python bench/soak_worker.py --scenario restart`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FAKE_NOTIFY_PORT = 8128


def scenario_worker_kill(
    *,
    database_url: str,
    messages: int = 150,
    kills: int = 3,
    latency: float = 0.2,
    port: int = FAKE_NOTIFY_PORT,
    timeout: float = 150.0,
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--database-url",
        database_url,
        "--messages",
        str(messages),
        "--kills",
        str(kills),
        "--latency",
        str(latency),
        "--port",
        str(port),
        "--timeout",
        str(timeout),
        "--json",
    ]
    return child_figures(cmd, timeout)


def child_figures(cmd: list[str], timeout: float) -> dict[str, Any]:
    """Runs a scenario in a child process and returns the figures it printed as JSON on its last line."""
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout + 120, check=False)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"{Path(cmd[1]).name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def scenario_worker_db_restart(*, port: int = 5437, messages: int = 20, timeout: float = 120.0) -> dict[str, Any]:
    """A real PostgreSQL restart under a running worker. Starts a private PostgreSQL cluster on 127.0.0.1:`port`
    (initdb as the postgres user, removed afterwards), migrates a database on it, starts the production worker,
    has it send `messages` messages, restarts PostgreSQL (`pg_ctl restart -m fast`), queues as many again, and
    returns: `worker_alive` (must be True), `sent_before`, `sent_after` (all of both), `restart_seconds`, and
    `seconds_to_first_send_after_restart`."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--scenario", "restart", "--port", str(port)]
    cmd += ["--messages", str(messages), "--timeout", str(timeout), "--json", "--database-url", "-"]
    return child_figures(cmd, timeout)


def _start_worker(database_url: str, fake_url: str) -> subprocess.Popen[bytes]:
    from tests.messaging.fake_notify import API_KEY

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "onedoor.settings",
        "ONEDOOR_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "ONEDOOR_MESSAGE_BACKEND": "onedoor.messaging.backends.NotifyBackend",
        "ONEDOOR_NOTIFY_API_KEY": API_KEY,
        "ONEDOOR_NOTIFY_BASE_URL": fake_url,
        "ONEDOOR_SEND_CONCURRENCY": "1",
        # Short timeouts so that the scenario takes seconds, not minutes: a dead worker's task is stuck after
        # 4 s without a heartbeat, and its claim on the message it was sending expires after 3 s.
        "ONEDOOR_TASK_STUCK_SECONDS": "4",
        "ONEDOOR_MESSAGE_CLAIM_SECONDS": "3",
        "ONEDOOR_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "manage.py", "onedoor_worker", "--interval", "0.2", "--no-startup-delay", "-v", "0"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603 - our own command


def _run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    os.environ["ONEDOOR_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.send import queue, reset
    from onedoor.core.models import AuditEvent
    from onedoor.messaging.models import Message, MessageStatus, MessageTemplate
    from tests.messaging.fake_notify import FakeNotify

    call_command("migrate", verbosity=0)
    reset()
    MessageTemplate.objects.update(notify_template_id="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    recovered_before = AuditEvent.objects.filter(action="task.recovered").count()
    abandoned_before = AuditEvent.objects.filter(action="task.abandoned").count()
    queue(args.messages)
    references = set(Message.objects.values_list("reference", flat=True))
    started = time.monotonic()
    deadline = started + args.timeout
    with FakeNotify(latency=args.latency, port=args.port) as fake:
        in_flight = {"n": 0}
        # Count requests the fake is holding (received, not yet answered).
        handler = fake.server.RequestHandlerClass
        original = handler.do_POST  # type: ignore[attr-defined]

        def counting(self: Any) -> None:
            in_flight["n"] += 1
            try:
                original(self)
            finally:
                in_flight["n"] -= 1

        handler.do_POST = counting  # type: ignore[attr-defined]
        worker = _start_worker(args.database_url, fake.url)
        done_kills = 0
        try:
            step = max(args.messages // (args.kills + 1), 1)
            while done_kills < args.kills and time.monotonic() < deadline:
                # Let some sends through, then kill while one is in flight at the provider.
                target = len(fake.sent) + step
                while len(fake.sent) < target and time.monotonic() < deadline:
                    time.sleep(0.02)
                while in_flight["n"] == 0 and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(args.latency * 0.5)
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                done_kills += 1
                worker = _start_worker(args.database_url, fake.url)  # the supervisor restarts it
            while time.monotonic() < deadline:
                if not Message.objects.filter(status=MessageStatus.QUEUED).exists():
                    break
                time.sleep(0.5)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        counts = Counter(s["reference"] for s in list(fake.sent))
    return {
        "messages": args.messages,
        "kills": done_kills,
        "sent_twice": sum(n - 1 for n in counts.values() if n > 1),
        "never_sent": sum(1 for ref in references if counts[str(ref)] == 0),
        "still_queued": Message.objects.filter(status=MessageStatus.QUEUED).count(),
        "tasks_recovered": AuditEvent.objects.filter(action="task.recovered").count() - recovered_before,
        # A task killed MAX_TASK_ATTEMPTS times is given up (and counted as failed on /health/ready); its
        # messages are still sent, by the every-minute job.
        "tasks_abandoned": AuditEvent.objects.filter(action="task.abandoned").count() - abandoned_before,
        "seconds": round(time.monotonic() - started, 1),
    }


def _pg(*args: str, cwd: str | None = None) -> None:
    import glob

    binary = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{args[0]}"))[-1]
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*as_postgres, binary, *args[1:]], check=True, capture_output=True, cwd=cwd or "/")  # noqa: S603


def _run_restart(args: argparse.Namespace) -> dict[str, Any]:
    import shutil
    import tempfile

    import psycopg

    home = tempfile.mkdtemp(prefix="onedoor-pg-restart-")
    data = f"{home}/data"
    if os.geteuid() == 0:  # initdb refuses to run as root; the cluster belongs to the postgres user
        shutil.chown(home, "postgres")
    options = f"-p {args.port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    _pg("initdb", "-D", data, "-A", "trust", "-U", "postgres")
    _pg("pg_ctl", "-D", data, "-o", options, "-l", f"{home}/log", "-w", "start")
    worker = None
    try:
        server = f"postgres://postgres@127.0.0.1:{args.port}"
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE onedoor_restart")
        database_url = f"{server}/onedoor_restart"
        os.environ.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="onedoor.settings",
            ONEDOOR_TASK_BACKEND="django_tasks_db.DatabaseBackend",
            ONEDOOR_MESSAGE_BACKEND="onedoor.messaging.backends.FileBackend",
            ONEDOOR_MESSAGE_OUTBOX=f"{home}/outbox.jsonl",
            ONEDOOR_LOG_LEVEL="WARNING",
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        from bench.send import queue
        from onedoor.messaging.models import Message, MessageStatus

        call_command("migrate", verbosity=0)
        cmd = [sys.executable, "manage.py", "onedoor_worker", "--interval", "0.2", "--no-startup-delay", "-v", "0"]
        worker = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + args.timeout

        def sent() -> int:
            return Message.objects.filter(status=MessageStatus.DELIVERED).count()

        queue(args.messages)
        while sent() < args.messages and time.monotonic() < deadline:
            time.sleep(0.2)
        before = sent()
        connections.close_all()
        restart_started = time.monotonic()
        _pg("pg_ctl", "-D", data, "-o", options, "-l", f"{home}/log", "-m", "fast", "-w", "restart")
        restarted = time.monotonic()
        queue(args.messages)
        first_after = None
        while sent() < before + args.messages and time.monotonic() < deadline:
            if first_after is None and sent() > before:
                first_after = time.monotonic()
            time.sleep(0.1)
        first_after = first_after or (time.monotonic() if sent() > before else None)
        alive = worker.poll() is None
        after = sent() - before
        connections.close_all()
        return {
            "worker_alive": alive,
            "sent_before": before,
            "sent_after": after,
            "messages": args.messages,
            "restart_seconds": round(restarted - restart_started, 1),
            "seconds_to_first_send_after_restart": round(first_after - restarted, 1) if first_after else None,
        }
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        _pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="", help="for --scenario kill: a database of its own")
    parser.add_argument("--messages", type=int, default=150)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--port", type=int, default=FAKE_NOTIFY_PORT)
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scenario", choices=["kill", "restart"], default="kill")
    args = parser.parse_args()
    if args.scenario == "restart":
        if args.port == FAKE_NOTIFY_PORT:
            args.port = 5437
        figures = _run_restart(args)
        print(json.dumps(figures) if args.json else f"PostgreSQL restart under the worker: {figures}")
        return
    figures = _run(args)
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"kill -9 of the worker mid-send, {figures['kills']} times, {figures['messages']} messages: "
        f"sent twice {figures['sent_twice']} (at most {figures['kills']}), never sent {figures['never_sent']} "
        f"(must be 0), stuck tasks recovered {figures['tasks_recovered']}, abandoned {figures['tasks_abandoned']}, "
        f"{figures['seconds']} s"
    )


if __name__ == "__main__":
    main()

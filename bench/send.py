"""Send-rate benchmark (part of `make bench`; also `python bench/send.py`). See bench/README.md.

On a fresh PostgreSQL database (127.0.0.1:5432, user postgres) that it creates and drops, with the fake
GOV.UK Notify API (tests/messaging/fake_notify.py) answering every send after 200 ms, it queues support
offers with their `send_messages` tasks, starts real `manage.py onedoor_worker` processes with the Notify
backend, and counts the sends Notify accepted during a fixed window once the first has arrived. For each
setting (1 worker; 4 workers; 4 workers sending 4, then 8, at a time) it prints messages per minute, the ratio to
one worker, the CPU each worker process spent per message, and any message sent twice (there must be none).

The rate limit is raised for the run (ONEDOOR_NOTIFY_RATE_PER_MINUTE=1000000) so that what is measured is
how fast OneDoor can send, not Notify's 3,000 a minute; the limiter's shared UPDATE still runs per send.

Options: --seconds S (measuring window per setting, default 10), --latency L (default 0.2), --keep.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
FAKE_NOTIFY_PORT = 8127
TICKS = os.sysconf("SC_CLK_TCK")
T0 = time.monotonic()


@dataclass(frozen=True)
class Setting:
    label: str
    workers: int
    concurrency: int


SETTINGS = [
    Setting("1 worker", 1, 1),
    Setting("4 workers", 4, 1),
    Setting("4 workers, 4 sends each at a time", 4, 4),
    Setting("4 workers, 8 sends each at a time", 4, 8),
]


@dataclass
class Measured:
    setting: Setting
    sent: int
    seconds: float
    cpu_seconds: float
    fake_cpu_seconds: float
    machine_busy: float  # share of all CPUs busy in the window, whoever used them
    duplicates: int

    @property
    def per_minute(self) -> float:
        return self.sent / self.seconds * 60

    @property
    def cpu_ms_per_message(self) -> float:
        return self.cpu_seconds / self.sent * 1000 if self.sent else float("nan")

    @property
    def fake_ms_per_message(self) -> float:
        return self.fake_cpu_seconds / self.sent * 1000 if self.sent else float("nan")


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICKS, total / TICKS


def queue(count: int) -> None:
    """Queue `count` support offers, with their send tasks (500 a task), as the police import does."""
    from django.db import transaction

    from onedoor.messaging.models import MessageTemplate
    from onedoor.messaging.services import message_values, messages_queue_values

    template = MessageTemplate.objects.get(key="support-offer", channel="sms", language="en")
    rows = []
    for n in range(count):
        number = 100 + n % 800
        number = 501 if number == 500 else number  # 07700 900500 makes the fake answer 500
        rows.append(
            message_values(
                kind="support-offer",
                channel="sms",
                to=f"+447700900{number:03d}",
                template=template,
                personalisation={"service_name": "Victim Support", "service_phone": "0300 303 1977"},
                person_key=f"bench-{n}",
            )
        )
    with transaction.atomic():
        messages_queue_values(messages=rows)


def reset() -> None:
    from django_tasks_db.models import DBTaskResult

    from onedoor.core.models import PeriodicJobRun, WorkerHeartbeat
    from onedoor.messaging.models import Message, SendWindow

    for model in (Message, DBTaskResult, SendWindow, WorkerHeartbeat, PeriodicJobRun):
        model.objects.all().delete()


def start_workers(setting: Setting, fake_url: str, database_url: str) -> list[subprocess.Popen[bytes]]:
    from tests.messaging.fake_notify import API_KEY

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "onedoor.settings",
        "ONEDOOR_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "ONEDOOR_MESSAGE_BACKEND": "onedoor.messaging.backends.NotifyBackend",
        "ONEDOOR_NOTIFY_API_KEY": API_KEY,
        "ONEDOOR_NOTIFY_BASE_URL": fake_url,
        "ONEDOOR_NOTIFY_RATE_PER_MINUTE": "1000000",
        "ONEDOOR_SEND_CONCURRENCY": str(setting.concurrency),
        "ONEDOOR_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "manage.py", "onedoor_worker", "--interval", "0.1", "--no-startup-delay", "-v", "0"]
    return [
        subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603 - our own command
        for _ in range(setting.workers)
    ]


def measure(setting: Setting, fake: object, fake_url: str, database_url: str, window: float) -> Measured:
    reset()
    fake.sent.clear()  # type: ignore[attr-defined]
    fake.sent_at.clear()  # type: ignore[attr-defined]
    # Enough that the queue never runs dry in the window.
    capacity = setting.workers * setting.concurrency * window * 6
    queue(int(capacity * 1.5) + 200)
    procs = start_workers(setting, fake_url, database_url)
    try:
        deadline = time.monotonic() + 30
        while not fake.sent_at and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        time.sleep(1.0)  # every worker under way
        start, cpu_start = time.monotonic(), sum(cpu_seconds(p.pid) for p in procs)
        fake_start, busy_start = cpu_seconds(os.getpid()), machine_busy()
        time.sleep(window)
        end, cpu_end = time.monotonic(), sum(cpu_seconds(p.pid) for p in procs)
        fake_end, busy_end = cpu_seconds(os.getpid()), machine_busy()
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
    sent = sum(1 for at in list(fake.sent_at) if start <= at < end)  # type: ignore[attr-defined]
    references = Counter(s["reference"] for s in list(fake.sent))  # type: ignore[attr-defined]
    duplicates = sum(n - 1 for n in references.values() if n > 1)
    busy = (busy_end[0] - busy_start[0]) / max(busy_end[1] - busy_start[1], 1e-9)
    return Measured(setting, sent, end - start, cpu_end - cpu_start, fake_end - fake_start, busy, duplicates)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    name = f"onedoor_bench_send_{os.getpid()}"
    admin(f"CREATE DATABASE {name}")
    database_url = f"{PG}/{name}"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    os.environ["ONEDOOR_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
    try:
        run(args, database_url)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(args: argparse.Namespace, database_url: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from onedoor.messaging.models import MessageTemplate
    from tests.messaging.fake_notify import FakeNotify

    call_command("migrate", verbosity=0)
    MessageTemplate.objects.update(notify_template_id="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
    print(
        f"Sending: the fake Notify API answers each send after {args.latency * 1000:.0f} ms; "
        f"{args.seconds:.0f} s measured per setting, real onedoor_worker processes on PostgreSQL"
    )
    results: list[Measured] = []
    with FakeNotify(latency=args.latency, port=FAKE_NOTIFY_PORT) as fake:
        for setting in SETTINGS:
            results.append(measure(setting, fake, fake.url, database_url, args.seconds))
            from django.db import connections

            connections.close_all()
    base = results[0].per_minute or 1.0
    print(
        f"{'setting':<36} {'msgs/min':>8} {'ratio':>6} {'in flight':>9} {'ceiling/min':>11} "
        f"{'worker CPU/msg':>14} {'fake Notify CPU/msg':>19} {'machine busy':>12} {'sent twice':>10}"
    )
    for r in results:
        in_flight = r.setting.workers * r.setting.concurrency
        ceiling = in_flight / args.latency * 60
        print(
            f"{r.setting.label:<36} {r.per_minute:>8,.0f} {r.per_minute / base:>5.2f}x {in_flight:>9} "
            f"{ceiling:>11,.0f} {r.cpu_ms_per_message:>11.1f} ms {r.fake_ms_per_message:>16.1f} ms "
            f"{r.machine_busy:>11.0%} {r.duplicates:>10}"
        )
    four = results[1].per_minute
    best = max(r.per_minute for r in results)
    print(
        f"Target, 4 workers at 3,000 a minute or more: one send at a time each {four:,.0f} "
        f"({'met' if four >= 3000 else 'not met'}); with concurrency {best:,.0f} "
        f"({'met' if best >= 3000 else 'not met'})."
    )
    print(
        "Ceiling: sends in flight / latency. A worker sends one message at a time unless ONEDOOR_SEND_CONCURRENCY "
        "says more; each one in flight when a worker is killed may be sent twice."
    )
    print(
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"whole run {time.monotonic() - T0:.0f} s"
    )


if __name__ == "__main__":
    main()

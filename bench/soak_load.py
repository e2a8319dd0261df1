"""The soak's load scenarios (bench/soak.py is the entry point): concurrent clients against the deployment
for a duration, and the same with PostgreSQL restarted under them (on a private cluster)."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.soak_common import (
    Figure,
    Tally,
    createdb,
    deployment,
    figures_for,
    run_clients,
    say,
    scratch_database,
    show,
    stored_markers,
)


def scenario_load(args: argparse.Namespace) -> bool:
    """N concurrent clients for a duration: accepted vs stored, lost, duplicates, 5xx."""
    tally = Tally()
    with scratch_database(args, "load") as url:
        with deployment(url, args.port, max(1, args.clients // 2), args.log) as (tokens, _env):
            started = time.monotonic()
            run_clients(args.port, tokens, args.clients, args.seconds, tally)
            elapsed = time.monotonic() - started
        stored = stored_markers(url)
    title = f"load: {args.clients} clients for {args.seconds:.0f} s on PostgreSQL (gunicorn + worker)"
    return show(title, figures_for(tally, stored, elapsed))


PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5436


@dataclass
class Cluster:
    admin_url: str
    restart: Callable[[], None]


@contextlib.contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster on port 5436, owned by the postgres user (initdb refuses root)."""
    data = Path(tempfile.mkdtemp(prefix="onedoor-soak-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, user="postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    pgdata = str(data / "data")

    def pg_ctl(*argv: str) -> None:
        # The server's own output goes to its log (-l); pg_ctl's to nowhere, so that no pipe is left open
        # in the server it starts.
        subprocess.run(  # noqa: S603 - fixed binaries
            [*as_owner, str(PG_BIN / "pg_ctl"), "-D", pgdata, "-l", str(data / "log"), *argv],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    subprocess.run(  # noqa: S603 - fixed binaries
        [*as_owner, str(PG_BIN / "initdb"), "-D", pgdata, "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {PG_PORT} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    pg_ctl("-o", options, "-w", "start")
    try:
        yield Cluster(
            admin_url=f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres",
            restart=lambda: pg_ctl("-m", "fast", "-w", "restart"),
        )
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)


def scenario_pg_restart(args: argparse.Namespace) -> bool:
    """PostgreSQL restarted under load: accepted submissions lost (0), and seconds until recovery."""
    tally = Tally()
    clients = min(args.clients, 20)
    with private_cluster() as cluster:
        url = createdb(cluster.admin_url, "onedoor_soak")
        with deployment(url, args.port, 10, args.log) as (tokens, _env):
            load = threading.Thread(target=run_clients, args=(args.port, tokens, clients, args.seconds, tally))
            load.start()
            time.sleep(args.seconds / 3)
            before = len(tally.accepted)
            restarted_at = time.monotonic()
            say("restarting PostgreSQL")
            cluster.restart()
            say("PostgreSQL is back")
            recovered = wait_for_new_acceptance(tally, before, restarted_at, timeout=args.seconds)
            load.join()
        stored = stored_markers(url)
    unavailable = tally.statuses.get(503, 0)
    other_5xx = tally.server_errors - unavailable
    figures = [f for f in figures_for(tally, stored, args.seconds) if f.name != "5xx"]
    figures += [
        Figure("503 while the database restarted", unavailable),
        Figure("other 5xx", other_5xx, "0", other_5xx == 0),
        Figure(
            "seconds until recovery",
            "never" if recovered is None else round(recovered, 1),
            "< 30",
            recovered is not None and recovered < 30,
        ),
    ]
    return show(f"PostgreSQL restart under load ({clients} clients, {args.seconds:.0f} s)", figures)


def wait_for_new_acceptance(tally: Tally, before: int, since: float, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    seen = before
    while time.monotonic() < deadline:
        with tally.lock:
            now = len(tally.accepted)
        if now > seen:
            return time.monotonic() - since
        time.sleep(0.1)
    return None

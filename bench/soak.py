"""Soak and fault harness (`make soak`): the production configuration under concurrent clients, on loopback.

    bench/soak.py --seconds 120 --clients 100          # the full run
    bench/soak.py --seconds 20 --clients 20            # the short one in .ci/run
    bench/soak.py --scenario pg-restart --seconds 30   # PostgreSQL restarted under load (own cluster)
    bench/soak.py --scenario worker-kill               # kill -9 of the task worker mid-send
    bench/soak.py --scenario import-kill               # kill -9 of the import's workers, then a rerun

It creates its own PostgreSQL database (or, for the restart, its own cluster on port 5436), migrates it,
and runs gunicorn and a task worker under onedoor/supervise.py, exactly as `make serve` does. Clients are
threads that make real writes:
- API clients POST /api/v1/referrals with a bearer token and an Idempotency-Key, and now and then retry
  the same call, as a client does after a timeout;
- public clients GET the self-referral form and POST it, and now and then send it twice (a double click).
Every logical submission carries a marker in its free text. At the end the database is read: a marker
that was accepted but is missing is lost; a marker stored twice is a duplicate. It prints each figure
and exits non-zero if any is off target (lost 0, duplicates 0, 5xx 0).

One function per scenario (`scenario_*`), started with `--scenario NAME` (default: all of them): load and
pg-restart in bench/soak_load.py (on what bench/soak_common.py shares), worker-kill and import-kill here,
which run the scenarios in bench/soak_worker.py and bench/soak_import.py, each against a database of its
own, and print their figures in the same way.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for the bench.soak_* modules, when run as a script

from bench.soak_common import PY, Figure, scratch_database, show  # noqa: E402
from bench.soak_load import scenario_load, scenario_pg_restart  # noqa: E402
from bench.soak_worker import child_figures  # noqa: E402
from bench.soak_worker import scenario_worker_kill as worker_kill  # noqa: E402

WORKER_KILLS = 3


def scenario_worker_kill(args: argparse.Namespace) -> bool:
    """kill -9 of the task worker while the provider holds a send, restarted at once as a supervisor does."""
    with scratch_database(args, "worker") as url:
        r = worker_kill(database_url=url, messages=args.messages, kills=WORKER_KILLS, port=args.notify_port)
    kills = r["kills"]
    figures = [
        Figure("messages", r["messages"]),
        Figure("kills", kills, str(WORKER_KILLS), kills == WORKER_KILLS),
        Figure("sent twice", r["sent_twice"], f"at most 1 per kill ({kills})", r["sent_twice"] <= kills),
        Figure("never sent", r["never_sent"], "0", r["never_sent"] == 0),
        Figure("still queued", r["still_queued"], "0", r["still_queued"] == 0),
        Figure("stuck tasks recovered", r["tasks_recovered"]),
        Figure("tasks given up (messages still sent)", r["tasks_abandoned"]),
        Figure("seconds", r["seconds"]),
    ]
    return show(f"kill -9 of the task worker mid-send ({r['messages']} messages)", figures)


def scenario_import_kill(args: argparse.Namespace) -> bool:
    """kill -9 of the import's workers in its load and its processing phase, rerun: the end as one clean run."""
    with scratch_database(args, "import") as url:
        r = child_figures([PY, str(ROOT / "bench" / "soak_import.py"), url, str(args.import_rows)], timeout=900)
    landed = len(r["killed_in"]) == len(r["kill_points"])
    figures = [
        Figure("rows", r["rows"]),
        Figure("killed in", "; ".join(r["killed_in"]) or "none", " then ".join(r["kill_points"]), landed),
        Figure("left running by the kills", r["running_after_kill"], "True", r["running_after_kill"]),
        Figure("status after the rerun", r["status_after_rerun"]),
        Figure("seconds, killed and rerun", r["seconds_killed_and_rerun"]),
        Figure("seconds, clean run", r["seconds_clean"]),
        Figure("final state identical to a clean run", r["identical"], "True", r["identical"]),
    ]
    return show(f"kill -9 of the import's {r['workers']} workers, then a rerun ({r['rows']:,} rows)", figures)


SCENARIOS: dict[str, Callable[[argparse.Namespace], bool]] = {
    "load": scenario_load,
    "pg-restart": scenario_pg_restart,
    "worker-kill": scenario_worker_kill,
    "import-kill": scenario_import_kill,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--port", type=int, default=8116)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--log", type=Path, default=ROOT / "var" / "soak.log")
    parser.add_argument("--keep", action="store_true", help="keep the scenarios' databases on --admin-url")
    parser.add_argument("--database-prefix", default="onedoor_soak", help="of the databases made on --admin-url")
    parser.add_argument("--notify-port", type=int, default=8128, help="worker-kill: the fake Notify's port")
    parser.add_argument("--messages", type=int, default=150, help="worker-kill: messages queued")
    parser.add_argument("--import-rows", type=int, default=10_000, help="import-kill: rows in the file")
    args = parser.parse_args(argv)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    # Stopped from outside (a CI timeout): unwind, so the server and any private cluster are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ok = True
    for name in args.scenario or list(SCENARIOS):
        ok = SCENARIOS[name](args) and ok
    print("\nsoak:", "every figure at target" if ok else "FIGURES OFF TARGET (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

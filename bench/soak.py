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

One function per scenario (`scenario_*`), started with `--scenario NAME` (default: all of them). The
last two run the scenarios in bench/soak_worker.py and bench/soak_import.py, each against a database of
its own, and print their figures in the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for bench.soak_worker and bench.soak_import
PY = sys.executable
HOST = "127.0.0.1"
MARKER = re.compile(r"soak-[0-9a-f]{32}")
# Settings for the soak only: the public self-referral limit is per address, and every client here is one
# address (loopback). The limit itself is tested elsewhere; here it would only hide the figures.
SOAK_SETTINGS = """
from onedoor.settings import *  # noqa: F403
# Every soak client is on loopback, one address: lift the public limits, which are not what is measured.
ONEDOOR_SELF_REFERRAL_ADDRESS_RATE = "1000000/h"
ONEDOOR_SELF_REFERRAL_CONTACT_RATE = "1000000/h"
"""
SETUP_USERS = """
import json, sys
from onedoor.accounts.models import Organisation, Role
from onedoor.accounts.services import api_token_create, user_create
org = Organisation.objects.get(slug="warwickshire-police")
tokens = []
for i in range(int(sys.argv[-1])):
    user = user_create(username=f"soak-referrer-{i}", role=Role.REFERRER, organisation=org)
    tokens.append(api_token_create(user=user))
print(json.dumps(tokens))
"""


# ---------------------------------------------------------------------------------------------- tally


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    accepted: dict[str, str] = field(default_factory=dict)  # marker -> reference
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    replays: int = 0
    replay_mismatches: int = 0
    latencies: list[float] = field(default_factory=list)
    first_success_after: dict[str, float] = field(default_factory=dict)

    def status(self, code: int, seconds: float) -> None:
        with self.lock:
            self.statuses[code] += 1
            self.latencies.append(seconds)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1

    def accept(self, marker: str, reference: str) -> None:
        with self.lock:
            self.accepted[marker] = reference

    def replay(self, same: bool) -> None:
        with self.lock:
            self.replays += 1
            self.replay_mismatches += 0 if same else 1

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


# -------------------------------------------------------------------------------------------- clients


class Http:
    """One keep-alive connection with a cookie jar, like one browser or one API client."""

    def __init__(self, port: int, tally: Tally, timeout: float = 30) -> None:
        self.port, self.tally, self.timeout = port, tally, timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self.conn.close()
                self.conn = None
                if attempt == 2 or not isinstance(exc, http.client.RemoteDisconnected | BrokenPipeError):
                    raise
        self.tally.status(response.status, time.monotonic() - started)
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response, data


def api_referral(http_: Http, token: str, marker: str, key: str) -> tuple[int, dict, dict[str, str]]:
    body = {
        "first_name": "Soak",
        "age": 40,
        "phone": "07700900321",
        "phone_is_own": True,
        "safe_to_call": True,
        "district": "E07000218",
        "reported_to_police": True,
        "crime_reference": "23/55555/26",
        "offence_group": "burglary-residential",
        "reason": f"Synthetic soak referral {marker}",
        "consent": True,
        "consent_given_by": "person",
    }
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    response, data = http_.request("POST", "/api/v1/referrals", json.dumps(body).encode(), headers)
    parsed = json.loads(data) if response.getheader("Content-Type", "").startswith("application/json") else {}
    return response.status, parsed, dict(response.getheaders())


def api_client(port: int, token: str, tally: Tally, until: float, retry_every: int = 5) -> None:
    http_ = Http(port, tally)
    n = 0
    while time.monotonic() < until:
        n += 1
        marker, key = f"soak-{uuid.uuid4().hex}", str(uuid.uuid4())
        try:
            try:
                status, body, _ = api_referral(http_, token, marker, key)
            except TimeoutError:  # no answer in time: retry with the same key, as a careful client does
                tally.error("api timeout, retried with the same key")
                status, body, _ = api_referral(http_, token, marker, key)
            if status == 201 and body.get("reference"):
                tally.accept(marker, body["reference"])
                if n % retry_every == 0:  # the retry a client makes when it did not see the answer
                    again, body2, headers2 = api_referral(http_, token, marker, key)
                    tally.replay(
                        again == 201
                        and body2.get("reference") == body["reference"]
                        and headers2.get("Idempotent-Replayed") == "true"
                    )
            elif status < 500:
                tally.error(f"api {status}")
        except Exception as exc:
            tally.error(f"api {type(exc).__name__}")
            time.sleep(0.2)


TOKEN_FIELD = re.compile(rb'name="submission_token" value="([^"]+)"')
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE = re.compile(rb"OD-[0-9A-Z-]+")


def self_referral(http_: Http, marker: str, double: bool) -> list[str]:
    """Fetches the form and sends it (twice if `double`). Returns the references the pages showed."""
    response, page = http_.request("GET", "/refer-yourself/")
    if response.status != 200:
        return []
    token, csrf = TOKEN_FIELD.search(page), CSRF_FIELD.search(page)
    if not token or not csrf:
        raise RuntimeError("the self-referral form has no token")
    form = {
        "csrfmiddlewaretoken": csrf.group(1).decode(),
        "submission_token": token.group(1).decode(),
        "first_name": "Soak",
        "age": "30",
        "district": "E07000222",
        "happened": "break-in",
        "what_happened": f"Synthetic soak self-referral {marker}",
        "told_police": "yes",
        "phone": "",
        "email": f"{marker}@example.org",
        "safe_ways": "email",
        "best_times": "",
        "language": "English",
        "consent": "on",
        "website": "",
    }
    body = urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{HOST}:{http_.port}/"}
    references = []
    for _ in range(2 if double else 1):
        response, _page = http_.request("POST", "/refer-yourself/", body, headers)
        if response.status != 302:
            continue
        response, sent = http_.request("GET", response.getheader("Location", "/refer-yourself/sent/"))
        found = REFERENCE.search(sent)
        if response.status == 200 and found:
            references.append(found.group(0).decode())
    return references


def public_client(port: int, tally: Tally, until: float, double_every: int = 4) -> None:
    http_ = Http(port, tally)
    n = 0
    while time.monotonic() < until:
        n += 1
        marker = f"soak-{uuid.uuid4().hex}"
        try:
            references = self_referral(http_, marker, double=n % double_every == 0)
            if references:
                tally.accept(marker, references[0])
                if len(references) == 2:
                    tally.replay(references[0] == references[1])
            else:
                tally.error("self-referral not accepted")
        except Exception as exc:
            tally.error(f"public {type(exc).__name__}")
            time.sleep(0.2)


def run_clients(port: int, tokens: list[str], clients: int, seconds: float, tally: Tally) -> None:
    until = time.monotonic() + seconds
    threads = []
    for i in range(clients):
        if i % 2 == 0:
            target: Callable[..., None] = api_client
            args: tuple = (port, tokens[(i // 2) % len(tokens)], tally, until)
        else:
            target, args = public_client, (port, tally, until)
        threads.append(threading.Thread(target=target, args=args, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)


# ----------------------------------------------------------------------------------- the deployment


def env_for(database_url: str, settings_dir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "soak_settings",
            "PYTHONPATH": f"{settings_dir}{os.pathsep}{ROOT}",
            "ONEDOOR_ENV": "production",
            "ONEDOOR_DEBUG": "0",
            "ONEDOOR_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
            "ONEDOOR_SSL_REDIRECT": "0",
            "ONEDOOR_SECURE_COOKIES": "0",
            "ONEDOOR_BIND": f"{HOST}:{port}",
            "ONEDOOR_PUBLIC_URL": f"http://{HOST}:{port}",
            "ONEDOOR_MESSAGE_OUTBOX": str(settings_dir / "outbox.jsonl"),
            "ONEDOOR_LOG_LEVEL": "WARNING",
        }
    )
    return env


def say(message: str) -> None:
    print(f"soak: {message}", file=sys.stderr, flush=True)


def manage(env: dict[str, str], *args: str) -> str:
    say(f"manage.py {args[0]}")
    done = subprocess.run(  # noqa: S603 - our own command
        [PY, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


@contextlib.contextmanager
def deployment(database_url: str, port: int, api_users: int, log: Path) -> Iterator[tuple[list[str], dict]]:
    """Migrates the database, creates referrers with tokens, and runs web + worker supervised."""
    settings_dir = Path(tempfile.mkdtemp(prefix="onedoor-soak-"))
    (settings_dir / "soak_settings.py").write_text(SOAK_SETTINGS)
    env = env_for(database_url, settings_dir, port)
    for command in (("migrate", "--no-input", "-v0"), ("createcachetable",), ("load_area",), ("load_directory",)):
        manage(env, *command)
    manage(env, "collectstatic", "--no-input", "-v0")
    tokens = json.loads(
        manage(env, "shell", "-v0", "-c", SETUP_USERS.replace("sys.argv[-1]", str(api_users))).splitlines()[-1]
    )
    web = f"web={PY} -m gunicorn -c {ROOT / 'deploy/gunicorn.conf.py'} onedoor.wsgi"
    worker = f"worker={PY} {ROOT / 'manage.py'} onedoor_worker --interval 1"
    with log.open("ab") as out:
        supervisor = subprocess.Popen(  # noqa: S603 - our own command
            [PY, "-m", "onedoor.supervise", web, worker], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        wait_until_up(port)
        say(f"serving on {HOST}:{port}")
        yield tokens, env
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            supervisor.kill()
        shutil.rmtree(settings_dir, ignore_errors=True)


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"the server on port {port} did not answer in {timeout:.0f} s")


def stored_markers(database_url: str) -> Counter[str]:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            rows = db.execute("SELECT reason FROM referrals_referral WHERE reason LIKE ?", ["%soak-%"]).fetchall()
    else:
        import psycopg

        with psycopg.connect(database_url) as conn:
            rows = conn.execute("SELECT reason FROM referrals_referral WHERE reason LIKE %s", ["%soak-%"]).fetchall()
    return Counter(m.group(0) for (reason,) in rows if (m := MARKER.search(reason)))


def createdb(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def dropdb(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database(args: argparse.Namespace, what: str) -> Iterator[str]:
    """A new database on the main server for one scenario, dropped afterwards (kept with --keep)."""
    name = f"{args.database_prefix}_{what}_{os.getpid()}"
    url = createdb(args.admin_url, name)
    try:
        yield url
    finally:
        if not args.keep:
            dropdb(args.admin_url, name)


# ------------------------------------------------------------------------------------------ figures


@dataclass
class Figure:
    name: str
    value: float | int | str
    target: str = ""
    ok: bool = True


def figures_for(tally: Tally, stored: Counter[str], seconds: float) -> list[Figure]:
    accepted = set(tally.accepted)
    lost = len(accepted - set(stored))
    duplicates = sum(n - 1 for n in stored.values() if n > 1)
    latencies = sorted(tally.latencies) or [0.0]
    requests = sum(tally.statuses.values())
    return [
        Figure("requests", requests),
        Figure("requests per second", round(requests / seconds, 1)),
        Figure("p50 latency (ms)", round(latencies[len(latencies) // 2] * 1000)),
        Figure("p95 latency (ms)", round(latencies[int(len(latencies) * 0.95)] * 1000)),
        Figure("accepted", len(accepted)),
        Figure("stored", sum(stored.values())),
        Figure("lost", lost, "0", lost == 0),
        Figure("duplicates", duplicates, "0", duplicates == 0),
        Figure("5xx", tally.server_errors, "0", tally.server_errors == 0),
        Figure("retries and double submits", tally.replays),
        Figure("retries answered with another result", tally.replay_mismatches, "0", tally.replay_mismatches == 0),
        Figure("client errors", json.dumps(dict(tally.errors)) if tally.errors else 0),
    ]


def show(title: str, figures: list[Figure]) -> bool:
    print(f"\n== {title} ==")
    for f in figures:
        verdict = "" if not f.target else ("  ok" if f.ok else f"  OFF TARGET (target {f.target})")
        print(f"{f.name:>40}: {f.value}{verdict}")
    return all(f.ok for f in figures)


# ---------------------------------------------------------------------------------------- scenarios


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


WORKER_KILLS = 3


def scenario_worker_kill(args: argparse.Namespace) -> bool:
    """kill -9 of the task worker while the provider holds a send, restarted at once as a supervisor does."""
    from bench.soak_worker import scenario_worker_kill as worker_kill

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
    from bench.soak_worker import child_figures

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

"""What the soak scenarios share (bench/soak.py is the entry point): a deployment under onedoor/supervise.py
on a database of its own, the API and public clients, the tally of what was accepted, and the figures.
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

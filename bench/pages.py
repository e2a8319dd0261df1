"""The page benchmark (`make bench`; issue 17). See bench/README.md for what it measures and the results.

On one fresh PostgreSQL database (127.0.0.1:5432, user postgres) that it creates and drops, it:
1. migrates, loads the area and its directory, and makes the accounts it signs in as (bench/pages_data.py);
2. for each size in --sizes (default 10,000, 100,000 and 1,000,000 referrals), grows the data to that size in
   bulk by SQL, VACUUMs and ANALYZEs (as autovacuum would), builds the commissioner's rollups (a full
   refresh), and then measures every page: --requests rounds (default 30), each round one request to every
   page, and before each page's request one to the floor page (the sign-in page, signed out), so that the
   floor is measured in the same moments as the pages and a busy machine slows both alike;
3. prints, for each page and size, the median and 95th percentile, the median's ratio to the floor's, how much
   of the median is database time (every query timed through Django's execute wrapper), and the ratio to the
   floor of the rest, which is what rendering the page costs with the database removed (the page's floor
   at any size); and then each page's growth from the smallest size to the largest.

Requests go through Django's test client in this process (no server, no network): what is measured is the
whole Django request (middleware, sessions, two-factor check, view, queries, template), not the network.

Options: --sizes 10000,100000 (any increasing list), --requests N, --keep (keep the database), --only PAGE,...
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from insights import PG, admin, scalar

TARGET_GROWTH, TARGET_INSIGHTS_GROWTH, TARGET_FLOOR = 1.3, 1.5, 2.5
VS_REFERRAL = (
    "SELECT max(reference) FROM referrals_referral r JOIN directory_service s ON s.id = r.current_service_id "
    "WHERE s.slug = 'victim-support'"
)
# The commissioner's pages measured by default (--all-insights measures every group page, and the quarterly
# return, whose first request at 2,000 referrals had not answered after four minutes on a loaded machine).
INSIGHTS_DEFAULT = ("insights", "insights-demand", "insights-timeliness", "insights-outcomes")


@dataclass
class Timing:
    total: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.total)

    def p95(self) -> float:
        return sorted(self.total)[max(0, round(0.95 * len(self.total)) - 1)]

    def db_median(self) -> float:
        return statistics.median(self.db)

    def rest_median(self) -> float:
        return statistics.median(t - d for t, d in zip(self.total, self.db, strict=True))


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    user: str  # a key of the people made by pages_data.setup_people, or "" for signed out
    url: Callable[[], str]
    insights: bool = False


@contextmanager
def db_time(into: list[float]) -> Iterator[None]:
    from django.db import connection

    spent = [0.0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        yield
    into.append(spent[0] * 1000)


def clients(people: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from onedoor.accounts.services import totp_device_create

    out: dict[str, Any] = {"": Client()}
    for key, user in people.items():
        client = Client()
        client.force_login(user)
        if user.needs_two_factor:
            device = totp_device_create(user=user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        out[key] = client
    return out


def pages(people: dict[str, Any]) -> list[PageSpec]:
    from onedoor.insights.registry import Group
    from onedoor.insights.views.common import group_slug

    cw = people["caseworker"].pk

    def one(query: str) -> str:
        return str(scalar(query))

    def case_reference() -> str:  # an open case of the caseworker's, the newest
        return one(
            "SELECT reference FROM referrals_referral WHERE assigned_to_id = "
            f"{cw} AND status IN ('accepted', 'contacted', 'engaged') ORDER BY id DESC LIMIT 1"
        )

    def older_page() -> str:  # the referrer's second page, by the newest page's last row
        row = scalar(
            "SELECT (extract(epoch FROM created_at) * 1000000)::bigint || '-' || id FROM referrals_referral "
            f"WHERE referrer_id = {people['referrer'].pk} ORDER BY created_at DESC, id DESC OFFSET 24 LIMIT 1"
        )
        return f"/referrals/mine/?older={row}"

    def queue_page_10() -> str:  # the team queue's 10th page, by the 9th page's last row (keyset, ADR 0029)
        from onedoor.directory.models import Service
        from onedoor.referrals.queue_filters import QueueFilters
        from onedoor.referrals.selectors import cursor_of, queue_page
        from onedoor.referrals.selectors import queue as queue_rows

        service = Service.objects.get(slug="victim-support")
        rows = queue_rows(service=service, filters=QueueFilters(), user=people["triage-victim-support"])
        page = queue_page(rows=rows, size=50)
        for _ in range(8):
            assert page.older is not None, "fewer than 10 pages in the queue"
            page = queue_page(rows=rows, size=50, after=page.older)
        return f"/queue/victim-support/?after={cursor_of(page.rows[-1])}"

    specs = [
        PageSpec(
            "queue-large", "team queue, Victim Support", "triage-victim-support", lambda: "/queue/victim-support/"
        ),
        PageSpec("queue-small", "team queue, Compass", "triage-compass", lambda: "/queue/compass/"),
        PageSpec(
            "queue-filtered",
            "team queue, filtered (new, urgent)",
            "triage-victim-support",
            lambda: "/queue/victim-support/?status=received&priority=1",
        ),
        PageSpec("queue-page-10", "team queue, page 10", "triage-victim-support", queue_page_10),
        PageSpec("mine", "My referrals (the large referrer)", "referrer", lambda: "/referrals/mine/"),
        PageSpec("mine-older", "My referrals, older page", "referrer", older_page),
        PageSpec("my-cases", "My cases (caseload grows with the data)", "caseworker", lambda: "/casework/"),
        PageSpec("my-cases-fixed", "My cases (40 open cases at every size)", "caseworker-fixed", lambda: "/casework/"),
        PageSpec("team", "team's cases, Victim Support", "lead-victim-support", lambda: "/casework/team/"),
        PageSpec("team-fixed", "team's cases, the fixed team (200 open)", "lead-fixed", lambda: "/casework/team/"),
        PageSpec("alerts", "alerts, Victim Support", "lead-victim-support", lambda: "/casework/alerts/"),
        PageSpec("alerts-fixed", "alerts, the fixed team (60 open)", "lead-fixed", lambda: "/casework/alerts/"),
        PageSpec("waiting", "waiting list", "lead-victim-support", lambda: "/casework/waiting/victim-support/"),
        PageSpec("transfers", "police transfers", "police", lambda: "/police/transfers/"),
        PageSpec(
            "batch",
            "a police batch",
            "police",
            lambda: f"/police/transfers/{one('SELECT max(id) FROM police_policebatch')}/",
        ),
        PageSpec(
            "referral",
            "a referral",
            "triage-victim-support",
            lambda: f"/cases/{one(VS_REFERRAL)}/",
        ),
        PageSpec("case", "a case", "caseworker", lambda: f"/cases/{case_reference()}/casework/"),
        PageSpec("services", "directory: services", "", lambda: "/services/"),
        PageSpec("find-support", "directory: find support", "", lambda: "/find-support/"),
        PageSpec("admin-audit", "admin: audit log", "admin", lambda: "/admin/core/auditevent/"),
        PageSpec("admin-messages", "admin: messages", "admin", lambda: "/admin/messaging/message/"),
        PageSpec("insights", "insights overview", "analyst", lambda: "/insights/", insights=True),
    ]
    specs += [
        PageSpec(
            f"insights-{group_slug(g)}",
            f"insights: {group_slug(g)}",
            "analyst",
            lambda g=g: f"/insights/{group_slug(g)}/",
            insights=True,
        )
        for g in Group
    ]
    specs.append(
        PageSpec(
            "quarterly-return",
            "insights: quarterly return",
            "analyst",
            lambda: "/insights/quarterly-return/",
            insights=True,
        )
    )
    return specs


def measure(specs: list[PageSpec], by_user: dict[str, Any], rounds: int) -> tuple[Timing, dict[str, Timing]]:
    floor = Timing()
    results = {s.key: Timing() for s in specs}
    urls = {s.key: s.url() for s in specs}
    for spec in specs:  # warm each page once (template loading, the first session read); check it answers
        started = time.perf_counter()
        response = by_user[spec.user].get(urls[spec.key])
        print(f"  warm {spec.key}: {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
        if response.status_code != 200:
            raise SystemExit(f"{spec.key}: {urls[spec.key]} answered {response.status_code}")
    anonymous = by_user[""]
    for n in range(rounds):
        if n % 10 == 0:
            print(f"  round {n + 1} of {rounds}", flush=True)
        for spec in specs:
            for client, url, into in (
                (anonymous, "/account/sign-in/", floor),
                (by_user[spec.user], urls[spec.key], results[spec.key]),
            ):
                with db_time(into.db):
                    started = time.perf_counter()
                    response = client.get(url)
                    into.total.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
    return floor, results


def report(size: int, floor: Timing, results: dict[str, Timing], specs: list[PageSpec]) -> None:
    f = floor.median()
    print(f"\n{size:,} referrals; floor (sign-in page) median {f:.1f} ms, p95 {floor.p95():.1f} ms")
    print(f"{'page':44} {'median':>8} {'p95':>8} {'x floor':>8} {'db ms':>7} {'render x floor':>15}")
    for spec in specs:
        t = results[spec.key]
        print(
            f"{spec.title:44} {t.median():8.1f} {t.p95():8.1f} {t.median() / f:8.1f} "
            f"{t.db_median():7.1f} {t.rest_median() / f:15.1f}"
        )


def growth(sizes: list[int], runs: dict[int, tuple[Timing, dict[str, Timing]]], specs: list[PageSpec]) -> None:
    lo, hi = sizes[0], sizes[-1]
    print(
        f"\nGrowth {lo:,} to {hi:,} (median / median), and x floor at {hi:,} "
        "(targets: growth 1.3, insights 1.5, x floor 2.5)"
    )
    for spec in specs:
        a, b = runs[lo][1][spec.key], runs[hi][1][spec.key]
        g = b.median() / a.median()
        x = b.median() / runs[hi][0].median()
        limit = TARGET_INSIGHTS_GROWTH if spec.insights else TARGET_GROWTH
        render = b.rest_median() / runs[hi][0].median()
        verdict = "met" if g <= limit and x <= TARGET_FLOOR else ("growth met" if g <= limit else "NOT met")
        print(f"{spec.title:44} growth {g:5.2f}  x floor {x:6.1f}  render-only x floor {render:6.1f}  {verdict}")


def setup() -> dict[str, Any]:
    from django.core.management import call_command
    from pages_data import setup_people

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_area", verbosity=0)
    call_command("load_directory", verbosity=0)
    return setup_people()


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    logging.disable(logging.INFO)  # sign-in and request logs, one a request
    from pages_data import build

    from onedoor.insights.rollups import rollups_refresh

    people = setup()
    by_user = clients(people)
    specs = [
        s
        for s in pages(people)
        if (not args.only or s.key in args.only)
        and (args.all_insights or not s.insights or s.key in INSIGHTS_DEFAULT)
        and not (s.insights and args.no_rollups)
    ]
    runs: dict[int, tuple[Timing, dict[str, Timing]]] = {}
    have = 0
    for size in args.sizes:
        started = time.perf_counter()
        build(have + 1, size, people)
        built = time.perf_counter() - started
        started = time.perf_counter()
        if not args.no_rollups:
            print(f"Built {size:,} in {built:.0f} s; refreshing the rollups", flush=True)
            rollups_refresh(full=True)
        rolled = time.perf_counter() - started
        have = size
        mb = scalar("SELECT pg_database_size(current_database()) / 1048576")
        print(
            f"\nBuilt {size:,} referrals: data {built:.0f} s (to this size from the last), "
            f"rollups {rolled:.0f} s, database {mb:,} MB"
        )
        runs[size] = measure(specs, by_user, args.requests)
        report(size, *runs[size], specs)
    if len(args.sizes) > 1:
        growth(args.sizes, runs, specs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-rollups", action="store_true", help="no rollup refresh, no commissioner's pages (slow)")
    parser.add_argument("--all-insights", action="store_true", help="every insights group page, not five")
    args = parser.parse_args()
    # Stopped by a signal, it still drops its database (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    name = f"od_f_pages_{os.getpid()}"
    admin(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    os.environ.setdefault("ONEDOOR_DEBUG", "0")
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"Kept the database {name}")
        else:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()

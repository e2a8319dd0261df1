"""Commissioner insights benchmark (`make bench`). See bench/README.md for what it measures and the results.

On one fresh PostgreSQL database (127.0.0.1:5432, user postgres) that it creates and drops, it:
1. generates a year (April 2025 to March 2026) of 10,000 referrals with their status events, police transfer
   records, signposting records, joint working and onward referrals, in bulk by SQL (INSERT ... SELECT
   generate_series, never through the services), over ~40 districts and the area's services;
2. builds the rollups (a full refresh) and times the pages as the views assemble them (the overview, the
   quarterly return and the Demand page with its 13-month trend, for FY2025-26 Q3): every cube read, the one
   disclosure call and every figure (median of --repeats runs);
3. empties the tables, generates the large year (--referrals, default 1,000,000; 6,000,000 is the national
   year the issue asks for) and does the same;
4. adds one day of 16,000 referrals (with their events and police records) and times the incremental refresh.
It prints the median page times at both sizes and their ratio (target 1.5 or less, and under 0.5 s), and the
refresh time (target under 10 s).

Options: --referrals N, --small N (default 10,000), --day N (default 16,000), --repeats N, --keep, --profile;
--again DATABASE times only the pages and the incremental refresh on a database --keep left (see `again`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"
YEAR_START = "2025-04-01"
EXTRA_DISTRICTS = 35  # with the area's 5: about 40, as in a national year


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000, help="the large year (6000000: national)")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--day", type=int, default=16_000, help="referrals in the incremental day")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print where the incremental refresh spends its time")
    parser.add_argument(
        "--again",
        metavar="DATABASE",
        help="on a database an earlier run kept: time only the pages and the incremental refresh after a day, "
        "--repeats times, each refresh rolled back, so every repeat (and a run of other code) sees the same data",
    )
    args = parser.parse_args()
    if args.again:
        os.environ["DATABASE_URL"] = f"{PG}/{args.again}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
        again(args)
        return

    name = f"{os.environ.get('BENCH_DB_PREFIX', 'od_insights')}_bench_{os.getpid()}"
    admin(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    try:
        run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sql(statement: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(statement, params)
        return int(c.rowcount)


def scalar(statement: str, params: list[Any] | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(statement, params)
        return c.fetchone()[0]


def filler(model: Any, overrides: dict[str, str]) -> tuple[str, str]:
    """Column names and SQL expressions for every concrete column of `model`: `overrides` by column, NULL for
    a nullable column, the field's default where it has a plain one, otherwise an empty value of the column's
    type."""
    from django.db import models

    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        col = f.column
        names.append(col)
        if col in overrides:
            values.append(overrides[col])
        elif f.null:
            values.append("NULL")
        elif isinstance(f.default, bool):  # the model's own default: it satisfies the model's check constraints
            values.append("true" if f.default else "false")
        elif isinstance(f.default, int):
            values.append(str(f.default))
        elif isinstance(f.default, str) and f.default:
            values.append("'" + f.default.replace("'", "''") + "'")
        elif isinstance(f, models.JSONField):
            values.append("'{}'::jsonb" if f.default is dict else "'[]'::jsonb")
        elif isinstance(f, models.BooleanField):
            values.append("false")
        elif isinstance(f, models.IntegerField | models.BigIntegerField):
            values.append("0")
        elif isinstance(f, models.DateTimeField):
            values.append("now()")
        else:
            values.append("''")
    return ", ".join(names), ", ".join(values)


def h(salt: int, modulo: int, expr: str = "g") -> str:
    """A deterministic pseudo-random integer in [0, modulo) from a row's number."""
    return f"((hashint8(({expr})::bigint * 7919 + {salt}) & 2147483647) % {modulo})"


def ids(statement: str) -> str:
    values = [str(r) for r in ids_list(statement)]
    return "ARRAY[" + ",".join(values) + "]"


def ids_list(statement: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(statement)
        return [r[0] for r in c.fetchall()]


def setup_reference() -> dict[str, Any]:
    from django.core.management import call_command

    from onedoor.accounts.models import Organisation, Role
    from onedoor.accounts.services import user_create

    call_command("migrate", verbosity=0)
    call_command("load_area", verbosity=0)
    sql(
        'INSERT INTO core_district (gss_code, name, population, census, "order") '
        "SELECT 'E0799' || lpad(g::text, 4, '0'), 'Bench district ' || g, 100000 + g * 1000, '{}'::jsonb, 100 + g "
        f"FROM generate_series(1, {EXTRA_DISTRICTS}) g"
    )
    user_create(
        username="bench-worker", role=Role.CASEWORKER, organisation=Organisation.objects.get(slug="victim-support")
    )
    return reference()


def reference() -> dict[str, Any]:
    """The ids the generator draws from, as `setup_reference` made them (on this run's database or a kept one)."""
    from onedoor.accounts.models import User

    return {
        "services": ids("SELECT id FROM directory_service WHERE kind = 'commissioned' ORDER BY id"),
        "signpost": ids_list("SELECT id FROM directory_service WHERE kind <> 'commissioned' ORDER BY id")[0],
        "districts": ids("SELECT id FROM core_district ORDER BY id"),
        "offences": ids("SELECT id FROM core_offencegroup ORDER BY id LIMIT 10"),
        "nservices": scalar("SELECT count(*) FROM directory_service WHERE kind = 'commissioned'"),
        "ndistricts": scalar("SELECT count(*) FROM core_district"),
        "user": User.objects.get(username="bench-worker").pk,
    }


# A referral's police record and signposting record, as SQL over the referral `r` (bench/pages_data.py too).
SIGNPOST_FROM_REFERRAL = {
    "created_at": "r.created_at",
    "source": "r.source",
    "offence_group_id": "r.offence_group_id",
    "age_band": "'25-to-34'",
    "district_id": "r.district_id",
    "gap": "r.id % 40 = 3",
}


def police_from_referral(first_batch: str, batch: str) -> dict[str, str]:
    return {
        "force_code": "'E23000017'",
        "crime_reference": "'C' || r.id",
        "victim_reference": "'V'",
        "first_batch_id": first_batch,
        "last_batch_id": batch,
        "last_seen_batch_id": batch,
        "created_at": "r.created_at",
        "updated_at": "r.updated_at",
        "recorded_at": "r.created_at - interval '1 day'",
        "offence_group_id": "r.offence_group_id",
        "first_name": "'x'",
        "date_of_birth": "r.received_on - (coalesce(r.age_at_referral, 30) * interval '1 year')",
        "district_id": "r.district_id",
        "consent_to_share": "true",
        "referral_id": "r.id",
        "processed_at": "r.created_at",
    }


def generate(ref: dict[str, Any], *, lo: int, hi: int, day_sql: str, stamp_sql: str) -> None:
    """Referrals lo..hi (numbers, not ids) received on `day_sql` (an SQL date expression of g), stamped
    `stamp_sql` (their created_at and updated_at), with their events, police records, signposting records, joint
    working and onward referrals."""
    from onedoor.casework.models import JointWorking
    from onedoor.police.models import PoliceBatch, PoliceVictimRecord
    from onedoor.referrals.models import OnwardReferral, Referral, SignpostRecord, StatusEvent

    ns, nd = ref["nservices"], ref["ndistricts"]
    before = scalar("SELECT coalesce(max(id), 0) FROM referrals_referral")
    cols, vals = filler(
        Referral,
        {
            "reference": "'B' || lpad(g::text, 13, '0')",
            "source": f"(ARRAY['professional','self','police-transfer'])[1 + {h(1, 3)}]",
            "created_at": stamp_sql,
            "updated_at": stamp_sql,
            "status": "'received'",
            "priority": "3",
            "current_service_id": f"({ref['services']})[1 + {h(2, ns)}]",
            "received_on": day_sql,
            "first_name": "'x'",
            "age_at_referral": f"CASE WHEN {h(3, 50)} = 0 THEN NULL ELSE 10 + {h(4, 70)} END",
            "district_id": f"CASE WHEN {h(5, 40)} = 0 THEN NULL ELSE ({ref['districts']})[1 + {h(6, nd)}] END",
            "offence_group_id": f"({ref['offences']})[1 + {h(7, 10)}]",
            "consent_given": "true",
            "consent_given_by": "'person'",
            "consent_given_on": day_sql,
        },
    )
    sql(f"INSERT INTO referrals_referral ({cols}) SELECT {vals} FROM generate_series({lo}, {hi}) g")
    after = scalar("SELECT max(id) FROM referrals_referral")
    new = f"r.id > {before} AND r.id <= {after}"

    # Events: every referral is received; of ten, eight are accepted, six contacted, four engaged, three closed;
    # one declined, one re-routed; one in twenty contacted and then not engaged.
    ecols, _ = filler(StatusEvent, {})
    steps = [
        ("true", "0 hours", "''", "'received'", "r.current_service_id", "''"),
        ("r.id % 10 < 8", "1 day", "'received'", "'accepted'", "r.current_service_id", "''"),
        ("r.id % 10 < 6", "3 days", "'accepted'", "'contacted'", "r.current_service_id", "''"),
        ("r.id % 10 < 4", "5 days", "'contacted'", "'engaged'", "r.current_service_id", "''"),
        ("r.id % 10 < 3", "30 days", "'engaged'", "'closed'", "r.current_service_id", "'support_completed'"),
        ("r.id % 10 = 8", "1 day", "'received'", "'declined'", "r.current_service_id", "'out_of_remit'"),
        ("r.id % 10 = 9", "1 day", "'received'", "'rerouted'", f"({ref['services']})[1 + {h(8, ns, 'r.id')}]", "''"),
        ("r.id % 20 = 5", "4 days", "'contacted'", "'not_engaged'", "r.current_service_id", "'unable_to_contact'"),
    ]
    for where, delay, frm, to, service, reason in steps:
        _, evals = filler(
            StatusEvent,
            {
                "referral_id": "r.id",
                "at": f"r.received_on + time '10:00' + interval '{delay}'",
                "from_status": frm,
                "to_status": to,
                "service_id": service,
                "reason_code": reason,
            },
        )
        sql(
            f"INSERT INTO referrals_statusevent ({ecols}) SELECT {evals} "
            f"FROM referrals_referral r WHERE {new} AND {where}"
        )

    batch = (
        scalar("SELECT max(id) FROM police_policebatch")
        or PoliceBatch.objects.create(
            file_name="bench.csv", file_hash="0", channel="cli", started_at="2025-04-01T00:00:00Z"
        ).pk
    )
    police = police_from_referral(str(batch), str(batch))
    pcols, pvals = filler(PoliceVictimRecord, police)
    sql(
        f"INSERT INTO police_policevictimrecord ({pcols}) SELECT {pvals} FROM referrals_referral r "
        f"WHERE {new} AND r.source = 'police-transfer'"
    )
    # Victims who did not consent: no referral, one for every ten referrals.
    unreferred = {**police, "crime_reference": "'N' || r.id", "consent_to_share": "false", "referral_id": "NULL"}
    pcols, pvals = filler(PoliceVictimRecord, unreferred)
    sql(
        f"INSERT INTO police_policevictimrecord ({pcols}) SELECT {pvals} FROM referrals_referral r "
        f"WHERE {new} AND r.id % 10 = 7"
    )

    scols, svals = filler(SignpostRecord, SIGNPOST_FROM_REFERRAL)
    sql(
        f"INSERT INTO referrals_signpostrecord ({scols}) SELECT {svals} FROM referrals_referral r "
        f"WHERE {new} AND r.id % 10 = 3"
    )
    jcols, jvals = filler(
        JointWorking,
        {
            "referral_id": "r.id",
            "partner_service_id": f"({ref['services']})[1 + {h(9, ns, 'r.id')}]",
            "consent_to_share": "true",
            "started_at": "r.created_at + interval '2 days'",
            "recorded_by_id": str(ref["user"]),
        },
    )
    sql(
        f"INSERT INTO casework_jointworking ({jcols}) SELECT {jvals} "
        f"FROM referrals_referral r WHERE {new} AND r.id % 50 = 0"
    )
    ocols, ovals = filler(
        OnwardReferral,
        {
            "from_referral_id": "r.id",
            "to_service_id": str(ref["signpost"]),
            "kind": "'external'",
            "created_at": "r.created_at + interval '3 days'",
            "created_by_id": str(ref["user"]),
        },
    )
    sql(
        f"INSERT INTO casework_onwardreferral ({ocols}) SELECT {ovals} "
        f"FROM referrals_referral r WHERE {new} AND r.id % 50 = 1"
    )


def empty() -> None:
    sql(
        "TRUNCATE casework_onwardreferral, casework_jointworking, police_policevictimrecord, referrals_signpostrecord, "
        "referrals_statusevent, referrals_referral, insights_factday, insights_factmonth, "
        "insights_rollupstate CASCADE"
    )


def year(ref: dict[str, Any], n: int) -> float:
    started = time.perf_counter()
    step = 500_000
    for lo in range(1, n + 1, step):
        hi = min(lo + step - 1, n)
        generate(
            ref,
            lo=lo,
            hi=hi,
            day_sql=f"date '{YEAR_START}' + ({h(0, 365)})::int",
            stamp_sql=(f"((date '{YEAR_START}' + ({h(0, 365)})::int) + time '10:00') AT TIME ZONE 'Europe/London'"),
        )
    sql("ANALYZE")
    return time.perf_counter() - started


def pages() -> list[tuple[str, Callable[[], int]]]:
    """The pages as the views assemble them for the commissioner's analyst: every cube read, the one protect
    call (secondary suppression and its audit) and every figure; the templates are not rendered. Each run
    returns the number of tables the page shows."""
    from onedoor.directory.models import Service, ServiceKind
    from onedoor.insights.assemble import BlockSpec, PageContext, assemble
    from onedoor.insights.cells import Category
    from onedoor.insights.layouts import QUARTERLY_RETURN, specs_of
    from onedoor.insights.periods import quarter
    from onedoor.insights.query import EVERYTHING, Filters
    from onedoor.insights.registry import Group, measures_in

    services = tuple(
        Category(s.slug, s.name) for s in Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name")
    )
    ctx = PageContext(period=quarter(2025, 3), filters=Filters(), scope=EVERYTHING, services=services)

    def overview() -> int:
        specs = [BlockSpec(measure=ms[0], section=g.value) for g in Group if (ms := measures_in(g))]
        return len(assemble(ctx, specs).tables)

    def quarterly_return() -> int:
        return len(assemble(ctx, specs_of(QUARTERLY_RETURN)).tables)

    def demand() -> int:
        measures = measures_in(Group.DEMAND)
        specs = [BlockSpec(measure=m, by=m.dimensions[0] if m.dimensions else None) for m in measures]
        return len(assemble(ctx, specs, trend_of=measures[0]).tables)

    return [
        ("overview FY2025-26 Q3", overview),
        ("quarterly return FY2025-26 Q3", quarterly_return),
        ("demand page FY2025-26 Q3", demand),
    ]


def timed(repeats: int) -> dict[str, tuple[float, int]]:
    out = {}
    for label, run in pages():
        run()  # warm the caches once
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            n = run()
            times.append(time.perf_counter() - started)
        out[label] = (statistics.median(times), n)
    return out


def refresh_full() -> float:
    from onedoor.insights.rollups import rollups_refresh

    started = time.perf_counter()
    rollups_refresh(full=True)
    return time.perf_counter() - started


def size_line(n: int) -> str:
    counts = {
        t: scalar(f"SELECT count(*) FROM {t}")
        for t in (
            "referrals_referral",
            "referrals_statusevent",
            "police_policevictimrecord",
            "insights_factday",
            "insights_factmonth",
        )
    }
    return ", ".join(f"{t.split('_', 1)[1]} {v:,}" for t, v in counts.items())


def run(args: argparse.Namespace, name: str) -> None:
    import django

    django.setup()
    from bench.run import machine

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}")
    print(f"PostgreSQL {scalar('SHOW server_version')}, database {name}")
    ref = setup_reference()
    print(f"{ref['ndistricts']} districts, {ref['nservices']} commissioned services, 10 offence groups")

    results = {}
    for n in (args.small, args.referrals):
        empty()
        gen_s = year(ref, n)
        build_s = refresh_full()
        sql("ANALYZE")
        results[n] = timed(args.repeats)
        print(f"\n{n:,} referrals: generated in {gen_s:.1f} s, rollups built (full refresh) in {build_s:.1f} s")
        print(f"   {size_line(n)}")
        for label, (median, tables) in results[n].items():
            print(f"   page '{label}': {tables} tables, median {median * 1000:.0f} ms")

    print(f"\nRatio, {args.referrals:,} over {args.small:,} referrals (target 1.5 or less; absolute under 0.5 s):")
    for label in results[args.small]:
        big, small = results[args.referrals][label][0], results[args.small][label][0]
        print(f"   {label}: {big * 1000:.0f} ms / {small * 1000:.0f} ms = {big / small:.2f}")

    # One more day: 16,000 referrals received on 1 April 2026, saved now, then the incremental refresh.
    from onedoor.insights.rollups import rollups_refresh

    lo = args.referrals + 1
    started = time.perf_counter()
    generate(ref, lo=lo, hi=lo + args.day - 1, day_sql="date '2026-04-01'", stamp_sql="now()")
    gen_s = time.perf_counter() - started
    started = time.perf_counter()
    if args.profile:
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            done = rollups_refresh()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    else:
        done = rollups_refresh()
    refresh_s = time.perf_counter() - started
    print(
        f"\nIncremental refresh after one day of {args.day:,} new referrals (generated in {gen_s:.1f} s): "
        f"{refresh_s:.1f} s (target under 10 s); days rebuilt by rollup: {done}"
    )
    started = time.perf_counter()
    done = rollups_refresh()
    print(f"A second refresh with nothing new: {time.perf_counter() - started:.2f} s; days rebuilt: {done}")


def again(args: argparse.Namespace) -> None:
    """--again: the pages (as the normal run times them), then the incremental refresh after a day of --day new
    referrals, --repeats times, on a kept database. Run it on a kept small and a kept large database in turn to
    compare their pages under the same conditions, or with other code on the same database.

    Each repeat's day is committed, as the scheduled refresh finds it (the refresh brings rollups up to date
    side by side on their own connections, which a rolled-back transaction would hide from them): repeat i
    adds referrals received on 2 April 2026 plus i days, so the kept database grows by a day each repeat.
    Before each day the watermark is set SETTLE ahead of now, so the refresh looks back to exactly the moment
    before the day was generated and rebuilds that day's facts only, as after the full build in a normal run."""
    import django

    django.setup()
    from django.utils import timezone

    from bench.run import machine, server_cpu
    from onedoor.insights.models import RollupState
    from onedoor.insights.rollups import SETTLE, refresh_workers, rollups_refresh

    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f}; database {args.again}")
    print(f"   {size_line(scalar('SELECT count(*) FROM referrals_referral'))}")
    for label, (median, tables) in timed(args.repeats).items():
        print(f"   page '{label}': {tables} tables, median {median * 1000:.0f} ms")
    ref = reference()
    # Numbers no earlier run has used (a referral's reference is made from its number).
    lo = scalar(
        r"SELECT coalesce(max(substring(reference from 2)::bigint), 0) + 1 FROM referrals_referral "
        r"WHERE reference ~ '^B[0-9]+$'"
    )
    first = scalar("SELECT coalesce(max(received_on), date '2026-04-01') FROM referrals_referral")
    times, cpus = [], []
    print(f"   the refresh brings {refresh_workers()} rollups up to date at once (ONEDOOR_ROLLUP_REFRESH_WORKERS)")
    for i in range(args.repeats):
        RollupState.objects.update(refreshed_to=timezone.now() + SETTLE)
        day = first + timedelta(days=1 + i)
        generate(ref, lo=lo, hi=lo + args.day - 1, day_sql=f"date '{day.isoformat()}'", stamp_sql="now()")
        lo += args.day
        started, python, before = time.perf_counter(), time.process_time(), server_cpu(args.again)
        done = rollups_refresh()
        times.append(time.perf_counter() - started)
        # CPU seconds, this process's (every thread) and PostgreSQL's (bench.run.server_cpu: the refresh's
        # own connections end with it), which other work on a shared machine stretches less than the wall clock.
        after = server_cpu(args.again)
        cpu = (time.process_time() - python, after - before if after is not None and before is not None else 0.0)
        cpus.append(sum(cpu))
        print(
            f"   refresh after {args.day:,} new referrals on {day}: {times[-1]:.1f} s (CPU: Python {cpu[0]:.1f} s, "
            f"PostgreSQL {cpu[1]:.1f} s); days rebuilt: {done}"
        )
    print(
        f"Median incremental refresh: {statistics.median(times):.1f} s (target under 10 s), CPU "
        f"{statistics.median(cpus):.1f} s, of {len(times)}"
    )


if __name__ == "__main__":
    main()

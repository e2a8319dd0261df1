"""How long the incremental refresh of the outcomes rollups (`onedoor.insights.rollups_b`) takes after a day
of new referrals, on a large base. See bench/README.md.

On a fresh PostgreSQL database (127.0.0.1:5432, user postgres) that it creates and drops, it writes a base of
--base referrals by SQL (copies of one referral made through the service), spread over the year before today,
half of them first contacted, a tenth engaged and closed; marks the rollups as current; adds a day of --day
new referrals the same way (half contacted, an eighth engaged, a sixteenth closed); and times
`rollups_refresh()` for the facts-b rollups alone.

Options: --base N (default 1,000,000), --day N (default 16,000), --keep.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"

from bench.run import admin, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=int, default=1_000_000)
    parser.add_argument("--day", type=int, default=16_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--without-indexes", action="store_true", help="drop the indexes the rollups read by")
    args = parser.parse_args()
    name = f"od_factb_bench_{os.getpid()}"
    admin(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {name}")


# The indexes on the facts that the rollups find changed days and rebuild them by.
INDEXES = (
    "referral_updated_idx",
    "referral_received_idx",
    "referral_first_contact_idx",
    "event_engaged_at_idx",
    "closure_closed_at_idx",
)


def copies(template: int, n: int, *, days_back: str, contacted: str, offset: int) -> str:
    """SQL that inserts `n` copies of referral `template`, received `days_back` days ago (an SQL expression
    in g, the series number), first contacted where `contacted` holds."""
    from onedoor.referrals.models import Referral

    columns = [f.column for f in Referral._meta.concrete_fields if f.column != "id"]
    chosen = {
        "reference": f"'OD-B' || lpad(({offset} + g)::text, 10, '0')",
        "received_on": f"current_date - ({days_back})::int",
        "created_at": f"now() - ({days_back}) * interval '1 day'",
        "updated_at": f"now() - ({days_back}) * interval '1 day'",
        "first_contacted_at": f"CASE WHEN {contacted} THEN now() - ({days_back}) * interval '1 day' END",
        "age_at_referral": "(g % 90)",
        "district_id": "(SELECT id FROM core_district ORDER BY id OFFSET (g % 5) LIMIT 1)",
        "status": f"CASE WHEN {contacted} THEN 'contacted' ELSE 'received' END",
    }
    values = ", ".join(chosen.get(c, f"t.{c}") for c in columns)
    return (
        f"INSERT INTO referrals_referral ({', '.join(columns)}) SELECT {values} "
        f"FROM referrals_referral t, generate_series(1, {n}) g WHERE t.id = {template}"
    )


def run(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from onedoor.accounts.models import User
    from onedoor.insights.models import RollupState
    from onedoor.insights.rollups import rollups, rollups_refresh
    from onedoor.referrals.services import referral_create
    from tests.referrals.factories import details

    call_command("migrate", verbosity=0)
    call_command("load_area", verbosity=0, stdout=io.StringIO())
    print(f"Machine: {machine()}")
    template = referral_create(details=details(), source="self", referrer=None).referral
    assert template is not None
    user = User.objects.create(username="bench-closer")  # who closed the generated cases
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute(copies(template.pk, args.base, days_back="1 + g % 365", contacted="g % 2 = 0", offset=0))
        c.execute(engaged_and_closed(since="interval '400 days'", every=10, user=user.pk))
        c.execute("ANALYZE")
    print(f"Base: {args.base:,} referrals written in {time.perf_counter() - started:.0f} s")
    if args.without_indexes:
        with connection.cursor() as c:
            for index in INDEXES:
                c.execute(f"DROP INDEX IF EXISTS {index}")
        print(f"Without the indexes {', '.join(INDEXES)}")
    now = timezone.now()
    for spec in rollups():
        RollupState.objects.update_or_create(name=spec.name, defaults={"refreshed_to": now})
    with connection.cursor() as c:
        c.execute(copies(template.pk, args.day, days_back="0", contacted="g % 2 = 0", offset=args.base))
        c.execute(engaged_and_closed(since="interval '1 hour'", every=8, user=user.pk))
        c.execute("ANALYZE")
    timings = {}
    for spec in rollups():
        since = RollupState.objects.get(name=spec.name).refreshed_to
        started = time.perf_counter()
        days = spec.touched(since)
        found = time.perf_counter()
        spec.rebuild(days)
        timings[spec.name] = (len(days), found - started, time.perf_counter() - found)
    total = sum(t + r for _, t, r in timings.values())
    print(f"Incremental refresh after a day of {args.day:,} new referrals: {total:.2f} s")
    for spec_name, (n, touched, rebuilt) in timings.items():
        print(f"   {spec_name}: {n} days, finding them {touched:.2f} s, rebuilding {rebuilt:.2f} s")
    started = time.perf_counter()
    rollups_refresh()  # the same through the refresh itself, now with nothing new
    print(f"The same again through rollups_refresh(): {time.perf_counter() - started:.2f} s")


def engaged_and_closed(*, since: str, every: int, user: int) -> str:
    """SQL for an engaged status event for every `every`-th referral created within `since`, and a closure for
    every other one of those."""
    closures = f"""
        INSERT INTO casework_closureoutcome (referral_id, closed_at, closed_by_id, reason, better_able_to_cope,
            final_scores, reopen_reason)
        SELECT id, created_at, {user}, 'support_completed', 'yes', '{{}}', '' FROM referrals_referral
        WHERE created_at > now() - {since} AND id % {2 * every} = 0;"""
    return f"""
        INSERT INTO referrals_statusevent (referral_id, at, from_status, to_status, service_id, reason_code,
            referrer_note)
        SELECT id, created_at, 'contacted', 'engaged', current_service_id, '', '' FROM referrals_referral
        WHERE created_at > now() - {since} AND id % {every} = 0;{closures}"""


if __name__ == "__main__":
    main()

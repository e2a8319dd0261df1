"""Police import benchmark (`make bench`). See bench/README.md for what it measures and the results.

On one fresh PostgreSQL database (127.0.0.1:5432, user postgres) that it creates and drops, it measures:
1. the whole import pipeline for a generated 100,000-row file: parse, validate, deduplicate, route,
   write records and referrals, queue support offers and their send tasks;
2. PostgreSQL COPY of the same file into a bare table of text columns: the physical limit;
3. the naive way: the same pipeline one row at a time with the ORM (a record save, `referral_create`,
   a message save and a task per message, each committed on its own), on a sample of the rows;
1b. the same file imported again, unchanged, then with 10% and 90% of its rows changed (bench/updates.py):
   an updated row's cost against a new one's, and peak memory for each;
and prints rows per second, the two ratios, and the resident memory while the file streams.

Options: --rows N (default 100000), --naive-rows N (default 2000), --keep (do not drop the database),
--only-workers, --no-workers, --only-updates (the pipeline and the re-imports alone).
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432"

from bench.send import TICKS, cpu_seconds  # noqa: E402  (after the path is set)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1e6:.1f} GB RAM"
    except (OSError, ValueError):
        pass
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} logical CPUs{mem}, {system}, Python {platform.python_version()}"


def backend_cpu(pid: int | None) -> float | None:
    """CPU seconds the PostgreSQL backend `pid` has used so far (the server runs on this machine in the
    bench); None where its process cannot be read."""
    if pid is None or not Path(f"/proc/{pid}/stat").exists():
        return None
    return cpu_seconds(pid)


def server_cpu(database: str) -> float | None:
    """CPU seconds PostgreSQL has used so far for `database`: its live backends', and every ended backend's,
    which the postmaster collects when it reaps them (so a backend that ends between two readings, like a
    connection a thread closes, is counted; one of another database that ends then is counted too). None where
    the server's processes cannot be read."""
    import psycopg

    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        directory = conn.execute("SHOW data_directory").fetchone()
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")]
    try:
        postmaster = int(Path(str(directory[0] if directory else ""), "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    return (int(fields[13]) + int(fields[14])) / TICKS + sum(backend_cpu(p) or 0.0 for p in pids)


def cpu_since(pid: int | None, before: float | None) -> float | None:
    now = backend_cpu(pid)
    return None if now is None or before is None else now - before


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--naive-rows", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only-workers", action="store_true", help="measure only the 1- and 2-worker runs")
    parser.add_argument("--no-workers", action="store_true", help="leave out the 1- and 2-worker runs")
    parser.add_argument("--only-updates", action="store_true", help="measure only the pipeline and the re-imports")
    args = parser.parse_args()

    name = f"onedoor_bench_{os.getpid()}"
    admin(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    os.environ.setdefault("ONEDOOR_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
    os.environ["ONEDOOR_MESSAGE_OUTBOX"] = str(ROOT / "bench" / "out" / "outbox.jsonl")
    try:
        run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {name}")


def run(args: argparse.Namespace, name: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    call_command("load_area", verbosity=0, stdout=io.StringIO())

    from onedoor.police.generator import generate

    path = out / f"police-{args.rows}.csv"
    with path.open("wb") as f:
        generate(f, rows=args.rows, seed=1, bad_percent=0)
    size_mb = path.stat().st_size / 1e6
    print(f"Machine: {machine()}")
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        print(f"PostgreSQL {c.fetchone()[0]}, database {name}")
    print(f"File: {args.rows:,} rows, {size_mb:.1f} MB (no faulty rows, so that COPY can load it too)")

    if args.only_workers:
        workers_section(path, args.rows, name)
        return

    # 1. The whole pipeline.
    from onedoor.core.context import origin
    from onedoor.police.services import police_batch_import

    samples: list[tuple[int, float]] = []
    seen = {"rows": 0}

    def progress(n: int) -> None:
        seen["rows"] += n
        samples.append((seen["rows"], rss_mb()))

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        backend = int(c.fetchone()[0])
    start_rss = rss_mb()
    python_before, server_before = time.process_time(), backend_cpu(backend)
    started = time.perf_counter()
    with origin("cli", "bench"), path.open("rb") as f:
        batch = police_batch_import(f=f, file_name=path.name, actor=None, channel="cli", progress=progress)
    pipeline_s = time.perf_counter() - started
    pipeline_python = time.process_time() - python_before
    pipeline_server = cpu_since(backend, server_before)
    end_rss = rss_mb()
    pipeline_rate = args.rows / pipeline_s
    print(f"\n1. Import pipeline: {args.rows:,} rows in {pipeline_s:.1f} s = {pipeline_rate:,.0f} rows/s")
    print(f"   summary: {batch.summary()}")
    tenth = next((rss for rows, rss in samples if rows >= args.rows // 10), start_rss)
    peak_rss = max(r for _, r in samples)
    print(
        f"   memory (RSS): {start_rss:.0f} MB before, {tenth:.0f} MB after 10% of the rows, "
        f"{peak_rss:.0f} MB peak while loading, {end_rss:.0f} MB at the end"
    )
    from bench.updates import updates_section

    if args.only_updates:
        updates_section(path, args.rows, pipeline_s / args.rows, peak_rss, rss_mb)
        return

    # 2. COPY into a bare table.
    from onedoor.police.parser import COLUMNS

    with connection.cursor() as c:
        c.execute("CREATE TABLE bench_copy (" + ", ".join(f"{col} text" for col in COLUMNS) + ")")
    connection.commit() if not connection.get_autocommit() else None
    raw = connection.connection
    started = time.perf_counter()
    with (
        raw.cursor() as cur,
        cur.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        path.open("rb") as f,
    ):
        while block := f.read(1 << 20):
            copy.write(block)
    raw.commit()
    copy_s = time.perf_counter() - started
    copy_rate = args.rows / copy_s
    print(f"\n2. PostgreSQL COPY into a bare table: {args.rows:,} rows in {copy_s:.2f} s = {copy_rate:,.0f} rows/s")

    # 4 (measured here, while the pipeline's rows are in the database). The database's own floor.
    from onedoor.police.load import CHUNK_SIZE

    server_before = backend_cpu(backend)
    floor_s, floor_rows = database_floor()
    floor_server = cpu_since(backend, server_before)
    floor_rate = args.rows / floor_s
    # The same writes with the import's commits: a chunk per transaction in each phase, as ADR 0003 requires so
    # that a killed run loses nothing and a rerun picks up where it stopped.
    chunked_s, _ = database_floor(parts=-(-args.rows // CHUNK_SIZE))
    chunked_rate = args.rows / chunked_s

    # 1b (after the floor, which copies only what the first import wrote). Re-importing a changed file.
    updates_section(path, args.rows, pipeline_s / args.rows, peak_rss, rss_mb)

    # 3. The naive way, on a sample.
    naive_rate, naive_n = naive(path, args.naive_rows)
    print(
        f"\n3. Naive, one row at a time with the ORM: {naive_n:,} rows (a sample of the same file) "
        f"= {naive_rate:,.0f} rows/s"
    )

    print(
        f"\n4. The database floor: the {floor_rows:,} rows the pipeline wrote for these {args.rows:,} written again "
        f"by PostgreSQL alone (INSERT ... SELECT, then the outcome UPDATE): {floor_s:.1f} s = {floor_rate:,.0f} rows/s"
    )

    print("\nRatios")
    print(f"   pipeline / COPY  = {pipeline_rate / copy_rate:.1%}   (target at least 25%)")
    print(f"   pipeline / naive = {pipeline_rate / naive_rate:.1f}x   (target at least 30x)")
    print(f"   floor / COPY     = {floor_rate / copy_rate:.1%}   (no import that writes these rows can pass this)")
    national = 5_800_000 / pipeline_rate / 60
    print(f"   a national year of 5.8 million rows at this rate: {national:.0f} minutes (target under 15)")
    print(f"   pipeline / floor = {pipeline_rate / floor_rate:.1%}   (target at least 70%)")
    print(
        f"   the floor with the import's commits (a transaction per {CHUNK_SIZE:,}-row chunk in each phase): "
        f"{chunked_s:.1f} s = {chunked_rate:,.0f} rows/s, {chunked_rate / floor_rate:.1%} of the floor; "
        f"pipeline / that floor = {pipeline_rate / chunked_rate:.1%}"
    )

    cpu_split(pipeline_s, pipeline_python, pipeline_server, floor_s, floor_server)

    if not args.no_workers:
        two = workers_section(path, args.rows, name)["two"]
        print(
            f"   2 workers / floor = {two / floor_rate:.1%}   (the same writes from two processes: "
            f"each one's Python runs while the other's statements do)"
        )


def cpu_split(
    pipeline_s: float, python_s: float, server_s: float | None, floor_s: float, floor_server_s: float | None
) -> None:
    """Where one process's pipeline time goes, and what that leaves possible: its Python and its statements
    run in turn, so no single process can beat their sum, and with no Python at all it would still wait for
    its own statements, the reads that decide each chunk among them, which the floor does not make."""
    print(f"   where one process's time goes: Python {python_s:.1f} s of CPU", end="")
    if server_s is None or floor_server_s is None:
        print(" (PostgreSQL's CPU could not be read: the server is not on this machine)")
        return
    print(
        f", PostgreSQL {server_s:.1f} s of CPU for its statements (the floor's: {floor_server_s:.1f} s), "
        f"{max(0.0, pipeline_s - python_s - server_s):.1f} s waiting on neither"
    )
    print(
        f"   the most one process could reach with no Python at all: floor / its statements' CPU = "
        f"{floor_s / server_s:.1%} of the floor; with its statements as they are, 70% needs Python under "
        f"{max(0.0, floor_s / 0.7 - server_s):.1f} s (it took {python_s:.1f} s)"
    )


def workers_section(path: Path, rows: int, name: str) -> dict[str, float]:
    """5. The production path: upload, then chunk tasks run by 1 and by 2 `db_worker` processes."""
    from bench.workers import scaling

    print(f"\n5. Upload, then chunk tasks on real workers ({rows:,} rows, the same file):")
    return scaling(path, rows, f"{PG}/{name}")


def database_floor(parts: int = 1) -> tuple[float, int]:
    """How fast PostgreSQL alone can write what the pipeline wrote: every row the import added, copied by
    INSERT ... SELECT into an empty copy of its table (same columns, indexes, checks and foreign keys; no
    triggers), the victim records first without their outcome and then given it by UPDATE, as the import's
    two phases do. No Python, no parsing, no network: a floor for any import that writes these rows into
    these tables on this machine. One commit per phase (the import commits every chunk), so the floor is, if
    anything, flattered. With `parts`, the writes are cut into that many id ranges, each phase committing once
    per range, as the import commits once per chunk in each of its two phases. Returns (seconds, rows written)."""
    from django.db import connection

    from onedoor.core.models import AuditEvent
    from onedoor.messaging.models import Message
    from onedoor.police.models import PoliceVictimRecord
    from onedoor.referrals.models import Allocation, Referral, SignpostRecord, StatusEvent

    outcome = ("repeat", "needs_review", "review_reason", "routing_reason", "routing_gap", "referral_id", "offer_id")
    records = PoliceVictimRecord._meta.db_table
    columns = [f.column for f in PoliceVictimRecord._meta.concrete_fields]
    loaded = ", ".join("NULL" if c in ("referral_id", "offer_id", "processed_at") else f'"{c}"' for c in columns)
    tables = [
        m._meta.db_table
        for m in (
            Message,
            Referral,
            Referral.flags.through,
            Referral.secondary_services.through,
            Allocation,
            StatusEvent,
            AuditEvent,
            SignpostRecord,
        )
    ]
    raw = connection.connection
    written = 0
    with raw.cursor() as cur:
        for table in [records, *tables]:
            cur.execute(f'CREATE TABLE "floor_{table}" (LIKE "{table}" INCLUDING ALL)')
            # LIKE copies no foreign keys; the import's rows must pass them, so the floor's must too.
            cur.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [f'"{table}"'],
            )
            for (definition,) in cur.fetchall():
                cur.execute(f'ALTER TABLE "floor_{table}" ADD {definition}')
        raw.commit()
        names = ", ".join(f'"{c}"' for c in columns)
        assignments = ", ".join(f'"{c}" = o."{c}"' for c in (*outcome, "processed_at"))
        bounds = {}
        for table in [records, *tables]:
            cur.execute(f'SELECT min(id), max(id) FROM "{table}"')
            low, high = cur.fetchone()
            bounds[table] = (low or 0, high or 0)

        def part(table: str, k: int) -> str:
            # The k-th of `parts` equal id ranges of the table (all of it when parts is 1).
            low, high = bounds[table]
            step = (high - low) // parts + 1
            return f"id BETWEEN {low + k * step} AND {low + (k + 1) * step - 1}"

        started = time.perf_counter()
        # The load phase's writes, one commit per part; then the process phase's, one commit per part.
        for k in range(parts):
            cur.execute(
                f'INSERT INTO "floor_{records}" ({names}) SELECT {loaded} FROM "{records}" WHERE {part(records, k)}'
            )
            written += cur.rowcount
            raw.commit()
        for k in range(parts):
            cur.execute(
                f'UPDATE "floor_{records}" AS r SET {assignments} FROM "{records}" AS o '
                f"WHERE r.id = o.id AND o.{part(records, k)}"
            )
            for table in tables:
                cur.execute(f'INSERT INTO "floor_{table}" SELECT * FROM "{table}" WHERE {part(table, k)}')
                written += cur.rowcount
            raw.commit()
        elapsed = time.perf_counter() - started
        for table in [records, *tables]:
            cur.execute(f'DROP TABLE "floor_{table}"')
        raw.commit()
    return elapsed, written


def naive(path: Path, limit: int) -> tuple[float, int]:
    """The same work, one row at a time with the ORM, each save committed on its own (autocommit): a record,
    the referral through `referral_create`, the message, and a send task per message."""
    from django.utils import timezone

    from onedoor.core.models import DemographicCategory, District, Flag, OffenceGroup
    from onedoor.messaging.models import Message, MessageTemplate
    from onedoor.messaging.safety import ContactFacts, offer_plan
    from onedoor.messaging.tasks import send_messages
    from onedoor.police.models import PoliceBatch, PoliceVictimRecord
    from onedoor.police.parser import Vocabulary, read_rows, sniff, validate_row
    from onedoor.police.services import RECORD_FIELDS, area_force_codes
    from onedoor.referrals.routing import RoutingTable
    from onedoor.referrals.services import ReferralDetails, referral_create

    PoliceVictimRecord.objects.all().update(referral=None, offer=None)
    PoliceVictimRecord.objects.all().delete()
    now = timezone.now()
    batch = PoliceBatch.objects.create(file_name="naive", channel="cli", started_at=now)
    done = 0
    started = time.perf_counter()
    # Reference data and the routing table are loaded once, as any sensible import would: what is naive
    # here is saving row by row, each save its own transaction.
    vocab = Vocabulary.load(area_force_codes())
    table = RoutingTable.load()
    with path.open("rb") as f:
        facts = sniff(f)
        for line, raw, ok in read_rows(f, facts.encoding):
            if done >= limit:
                break
            row = validate_row(line, raw, ok, vocab, timezone.localdate())
            done += 1
            if isinstance(row, list):
                continue
            v = row.values
            if PoliceVictimRecord.objects.filter(
                force_code=v["force_code"], crime_reference=v["crime_reference"], victim_reference=v["victim_reference"]
            ).exists():
                continue
            rec = PoliceVictimRecord.objects.create(
                force_code=v["force_code"],
                crime_reference=v["crime_reference"],
                victim_reference=v["victim_reference"],
                row_hash=row.row_hash,
                first_batch=batch,
                last_batch=batch,
                last_seen_batch=batch,
                created_at=now,
                updated_at=now,
                **{k: v[k] for k in RECORD_FIELDS},
            )
            if rec.consent_to_share:
                details = ReferralDetails(
                    first_name=rec.first_name,
                    last_name=rec.last_name,
                    date_of_birth=rec.date_of_birth,
                    demographics={
                        "sex": DemographicCategory.objects.filter(pk=rec.sex_id).first(),
                        "ethnicity": DemographicCategory.objects.filter(pk=rec.ethnicity_id).first(),
                    },
                    phone=rec.phone,
                    email=rec.email,
                    district=District.objects.filter(pk=rec.district_id).first(),
                    reported_to_police=True,
                    crime_reference=rec.crime_reference,
                    offence_group=OffenceGroup.objects.get(pk=rec.offence_group_id),
                    flags=list(Flag.objects.filter(slug__in=rec.flags)),
                    consent_given=True,
                    consent_given_by="person",
                )
                outcome = referral_create(details=details, source="police-transfer", referrer=None, table=table)
                rec.referral = outcome.referral
                rec.save()
            plan = offer_plan(
                ContactFacts(
                    age=None,
                    sensitive=False,
                    contact_permitted=rec.contact_permitted,
                    safe_to_text=rec.safe_to_text,
                    safe_to_email=rec.safe_to_email,
                    mobile=rec.phone,
                    email=rec.email,
                )
            )
            message = Message.objects.create(
                kind="support-offer",
                channel=plan.channel or "",
                to=rec.phone if plan.channel == "sms" else rec.email,
                template=MessageTemplate.objects.filter(channel=plan.channel or "sms", language="en").first(),
                status="queued" if plan.channel else "withheld",
                withheld_reasons=list(plan.reasons),
            )
            if plan.channel:
                send_messages.enqueue(message_ids=[message.pk])
            rec.offer = message
            rec.save()
    elapsed = time.perf_counter() - started
    return done / elapsed, done


if __name__ == "__main__":
    main()

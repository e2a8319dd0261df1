"""The fact tables' writing side: rebuild a rollup's days from aggregate SQL, and keep the month slices equal to
the sum of their days (ADR 0020).

A fact source is a queryset over the facts (referrals, status events, police records, ...) annotated with the
category columns and grouped, so that the database counts: `rebuild_days` wraps its SQL in one
`INSERT INTO insights_factday ... SELECT` per source. No row about a person is ever read into Python.

The month slices (`FactMonth`) are margins: for every month, the counts by each single category column and by
each pair of them. When days are rebuilt, the new rows are written beside the old, and the slices move by
new minus old in one upsert over the rebuilt days' rows only (a slice the rebuild left unchanged is not
written), then the old rows go; so a refresh costs what the changed days cost, however large the year is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import combinations
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onedoor.core import fastcopy
from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.models import ALL, FACT_COLUMNS, FactDay, FactMonth

# The month slices: the total, and the counts by every single category column and every pair of them.
GROUPINGS: tuple[tuple[str, ...], ...] = tuple(combo for size in range(3) for combo in combinations(FACT_COLUMNS, size))
MAX_GROUPED = 2


def grouping_name(columns: Iterable[str]) -> str:
    wanted = set(columns)
    return "+".join(c for c in FACT_COLUMNS if c in wanted)


@dataclass(frozen=True)
class FactSource:
    """One fact and how to count it for some days: `rows(days)` returns a queryset whose annotations `_day`,
    every column of FACT_COLUMNS (prefixed `_`) and `_n` are the day, the categories and the count."""

    fact: str
    rows: Callable[[set[date]], QuerySet[Any]]


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs, so a rebuild filters by ranges the indexes can use."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def on_days(field: str, days: set[date], *, moment: bool) -> Q:
    """Rows whose `field` falls on one of `days`: a date field compared directly, a moment by local day."""
    q = Q(pk__in=[])
    for first, last in day_ranges(days):
        if moment:
            q |= Q(**{f"{field}__gte": local_midnight(first), f"{field}__lt": local_midnight(last + timedelta(days=1))})
        else:
            q |= Q(**{f"{field}__gte": first, f"{field}__lte": last})
    return q


def local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def code(field: str) -> Coalesce:
    """A category code from a nullable field, "not-recorded" when it is empty."""
    return Coalesce(F(field), Value(NOT_RECORDED), output_field=CharField())


# The age bands of onedoor.referrals.services.age_band, as SQL.
AGE_LIMITS = (
    (16, "under-16"),
    (25, "16-to-24"),
    (35, "25-to-34"),
    (45, "35-to-44"),
    (55, "45-to-54"),
    (65, "55-to-64"),
)


def age_band_case(age_field: str, *, scale: int = 1) -> Case:
    """The age band code of an age field (or an annotation, in years times `scale`), as
    `onedoor.referrals.services.age_band` gives it."""
    return Case(
        When(Q(**{f"{age_field}__isnull": True}), then=Value(NOT_RECORDED)),
        *(When(Q(**{f"{age_field}__lt": limit * scale}), then=Value(band)) for limit, band in AGE_LIMITS),
        default=Value("65-and-over"),
        output_field=CharField(),
    )


def grouped(qs: QuerySet[Any], **columns: Any) -> QuerySet[Any]:
    """`qs` annotated with `_day` and the category columns (each an expression, given by name without the
    underscore) and counted by them into `_n`."""
    missing = {"day", *FACT_COLUMNS} - set(columns)
    if missing:
        raise ValueError(f"a fact source must give {sorted(missing)}")
    named = {f"_{name}": value for name, value in columns.items()}
    counted: QuerySet[Any] = qs.annotate(**named).values(*named).annotate(_n=Count("pk")).order_by()
    return counted


_COLUMNS_SQL = ", ".join(FACT_COLUMNS)


def _month_of_day() -> str:
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', day) AS date)"
    return "date(day, 'start of month')"


def _execute(sql: str, params: Sequence[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(int(cursor.rowcount), 0)


def _days_clause(days: set[date] | None) -> tuple[str, list[Any]]:
    if days is None:
        return "", []
    return f" AND day IN ({', '.join(['%s'] * len(days))})", sorted(days)


# The month slices' aggregate reads every rebuilt day row once for all the groupings: on PostgreSQL's default
# 4 MB it sorts on disk (a day of 16,000 referrals is about 140,000 day rows); this is for the refresh's own
# transaction only.
DELTA_WORK_MEM = "64MB"


def _month_delta(*, rollup: str, days: set[date] | None, old_to: int | None) -> None:
    """Move the month slices of every grouping by the rollup's day rows for `days` (every day for None): rows
    with an id up to `old_to` are the ones being replaced and count negative, later rows positive. On
    PostgreSQL one statement, reading the day rows once for all the groupings (GROUPING SETS); elsewhere one
    statement a grouping. A slice whose difference is nothing is not written."""
    in_days, params = _days_clause(days)
    month = _month_of_day()
    table = FactMonth._meta.db_table
    upsert = f"ON CONFLICT (fact, grouping, month, {_COLUMNS_SQL}) DO UPDATE SET n = {table}.n + excluded.n"
    signed = "SUM(CASE WHEN id <= %s THEN -n ELSE n END)"
    old = [-1 if old_to is None else old_to]
    if connection.vendor == "postgresql":
        width = len(FACT_COLUMNS)
        # GROUPING(all columns) has a column's bit set (the first column's highest) when the set leaves it out.
        names = " ".join(
            f"WHEN {sum(1 << (width - 1 - i) for i, c in enumerate(FACT_COLUMNS) if c not in columns)} "
            f"THEN '{grouping_name(columns)}'"
            for columns in GROUPINGS
        )
        codes = ", ".join(f"CASE WHEN GROUPING({c}) = 1 THEN %s ELSE {c} END" for c in FACT_COLUMNS)
        sets = ", ".join("(" + ", ".join(columns) + ")" for columns in GROUPINGS)
        _execute(f"SET LOCAL work_mem = '{DELTA_WORK_MEM}'", [])
        # Table, column and grouping names are constants of this module; every value is a parameter.
        _execute(
            f"INSERT INTO {table} (fact, grouping, month, {_COLUMNS_SQL}, n) "  # noqa: S608
            f"SELECT fact, CASE GROUPING({_COLUMNS_SQL}) {names} END, {month}, {codes}, {signed} "
            f"FROM {FactDay._meta.db_table} WHERE rollup = %s{in_days} "
            f"GROUP BY fact, {month}, GROUPING SETS ({sets}) HAVING {signed} <> 0 {upsert}",
            [*([ALL] * width), *old, rollup, *params, *old],
        )
    else:
        for columns in GROUPINGS:
            select = ", ".join(c if c in columns else "%s" for c in FACT_COLUMNS)
            group = "".join(f", {c}" for c in columns)
            sql = (
                f"INSERT INTO {table} (fact, grouping, month, {_COLUMNS_SQL}, n) "  # noqa: S608
                f"SELECT fact, %s, {month}, {select}, {signed} FROM {FactDay._meta.db_table} "
                f"WHERE rollup = %s{in_days} GROUP BY fact, {month}{group} HAVING {signed} <> 0 {upsert}"
            )
            fill = [ALL] * (len(FACT_COLUMNS) - len(columns))
            _execute(sql, [grouping_name(columns), *fill, *old, rollup, *params, *old])
    # Slices the difference left at nothing (a partial index holds only these).
    emptied = FactMonth.objects.filter(n=0)
    if days is not None:
        emptied = emptied.filter(month__in={d.replace(day=1) for d in days})
    emptied.delete()


def _insert_source(*, rollup: str, source: FactSource, days: set[date]) -> int:
    sql, params = source.rows(days).query.sql_with_params()
    outer = ", ".join(f"q._{c}" for c in FACT_COLUMNS)
    # The inner SELECT is Django's own, with its parameters; the names around it are constants.
    return _execute(
        f"INSERT INTO {FactDay._meta.db_table} (rollup, fact, day, {_COLUMNS_SQL}, n) "  # noqa: S608
        f"SELECT %s, %s, q._day, {outer}, q._n FROM ({sql}) q",
        [rollup, source.fact, *params],
    )


# A day row made in Python: (fact, day, service, district, offence group, source, age band, detail, count).
DayRow = tuple[str, date, str, str, str, str, str, str, int]


def _replacing(*, rollup: str, days: set[date], write: Callable[[], int]) -> int:
    """Write the rollup's new rows for `days` with `write` beside its old ones, move the month slices by the
    difference, and delete the old rows. Ids only grow, so the old rows are the days' rows up to the table's
    largest id before writing (one step down the primary key). Returns the rows written."""
    old_to = FactDay.objects.aggregate(last=Max("pk"))["last"]  # None: the table is empty
    written = write()
    _month_delta(rollup=rollup, days=days, old_to=old_to)
    if old_to is not None:
        FactDay.objects.filter(rollup=rollup, day__in=days, pk__lte=old_to).delete()
    return written


def replace_days(*, rollup: str, days: set[date], rows: Iterable[DayRow]) -> int:
    """`rebuild_days` for a rollup whose counts are made in Python (where working days, which need the bank
    holidays, decide a category): replace its rows for `days` with `rows`, every one on one of those days,
    and move the month slices by the difference. Returns the rows written."""
    if not days:
        return 0
    names = ("fact", "day", *FACT_COLUMNS, "n")
    return _replacing(
        rollup=rollup, days=days, write=lambda: fastcopy.insert_rows(FactDay, names, rows, fixed={"rollup": rollup})
    )


def rebuild_days(*, rollup: str, sources: Sequence[FactSource], days: set[date]) -> int:
    """Replace the rollup's rows for `days` with fresh counts, and move the month slices by the difference.
    Call inside a transaction (rollups_refresh holds one). Returns the day rows written."""
    if not days:
        return 0
    return _replacing(
        rollup=rollup, days=days, write=lambda: sum(_insert_source(rollup=rollup, source=s, days=days) for s in sources)
    )

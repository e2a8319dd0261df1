"""Keeping the rollup tables current. Each rollup registers how to find the days whose facts changed since a
moment, and how to rebuild its rows for a set of days from the facts. A refresh rebuilds only the touched
days, inside one transaction per rollup, and moves that rollup's watermark on; a full rebuild does every day.

The watermark is taken before the facts are read, so a change committed while a refresh runs is picked up by
the next one, never lost. A fact is stamped (`updated_at`, an event's `at`) when its transaction starts
working but becomes visible only when it commits, so every refresh also looks at facts stamped up to
`SETTLE` before its watermark: longer than any transaction that writes facts (a police import chunk is the
longest, seconds). Those days are rebuilt twice, which changes nothing, and costs one day's rebuild."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onedoor.insights.models import RollupState

SETTLE = timedelta(minutes=10)


def settled_since(since: datetime) -> datetime:
    return since - SETTLE


@dataclass(frozen=True)
class RollupSpec:
    name: str
    # The days (by the rollup's own day key) whose facts changed after the moment given; all days for None.
    touched: Callable[[datetime | None], set[date]]
    # Delete and rebuild the rollup's rows for these days; returns rows written.
    rebuild: Callable[[set[date]], int]


_ROLLUPS: dict[str, RollupSpec] = {}


def rollup_register(spec: RollupSpec) -> RollupSpec:
    _ROLLUPS[spec.name] = spec
    return spec


def rollups() -> list[RollupSpec]:
    return list(_ROLLUPS.values())


def _refresh_one(spec: RollupSpec, *, full: bool, now: datetime | None) -> int:
    """Bring one rollup up to date in its own transaction; returns the days rebuilt."""
    started = now or timezone.now()
    with transaction.atomic():
        state, _ = RollupState.objects.select_for_update().get_or_create(name=spec.name)
        days = spec.touched(None if full or state.refreshed_to is None else settled_since(state.refreshed_to))
        if days:
            spec.rebuild(days)
        state.refreshed_to = started
        state.last_run_at = started
        state.last_days = len(days)
        state.save()
    return len(days)


def _outcome(spec: RollupSpec, *, full: bool, now: datetime | None, own_connection: bool) -> int | Exception:
    """`_refresh_one`'s days, or the error it raised (the caller raises it once every rollup has run)."""
    try:
        return _refresh_one(spec, full=full, now=now)
    except Exception as error:
        return error
    finally:
        if own_connection:
            connection.close()  # this pool thread's connection; the thread ends with the refresh


def refresh_workers() -> int:
    """How many rollups a refresh brings up to date at once: each is its own transaction on its own
    connection, and the rollups write disjoint rows (their own facts), so on PostgreSQL they run side by side.
    On SQLite, inside a caller's transaction (a test's), or with one worker, they run one after another."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(int(settings.ONEDOOR_ROLLUP_REFRESH_WORKERS), 1)


def rollups_refresh(*, full: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Bring every rollup up to date. Returns the number of days rebuilt, by rollup. A rollup that fails
    leaves its rows and watermark as they were (its transaction rolls back); the others are still brought up
    to date, and then the first failure is raised, so the scheduled task is marked failed and alerts."""
    specs = rollups()
    workers = refresh_workers()
    if workers == 1:
        outcomes = [_outcome(spec, full=full, now=now, own_connection=False) for spec in specs]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rollups") as pool:
            # Each rollup's watermark is its own start, taken in its own thread.
            outcomes = list(pool.map(lambda s: _outcome(s, full=full, now=now, own_connection=True), specs))
    failures = [o for o in outcomes if isinstance(o, Exception)]
    if failures:
        raise failures[0]
    return {spec.name: days for spec, days in zip(specs, outcomes, strict=True) if isinstance(days, int)}

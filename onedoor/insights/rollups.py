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
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
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


def rollups_refresh(*, full: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Bring every rollup up to date. Returns the number of days rebuilt, by rollup."""
    done: dict[str, int] = {}
    for spec in rollups():
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
        done[spec.name] = len(days)
    return done

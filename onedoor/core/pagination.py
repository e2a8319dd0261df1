"""Pagination that costs the same on the first page and the ten-thousandth, at any table size (ADR 0034).

Django's `Paginator` counts every row of the list (`COUNT(*)`) and reaches page n by `OFFSET`: both grow with
the list. A list that can grow without bound (a referrer's own referrals, a team's alerts) pages by its sort key
instead (keyset pagination): "older" and "newer" links carry the key of the last or first row shown, each page is
one index range scan of `size + 1` rows, and the total is counted only up to `COUNT_CAP` ("more than 1,000").

A cursor is the sort key in the URL: a timestamp in microseconds and a row id, e.g. `?older=1733050000000000-42`.
Neither says anything about a person. A cursor that does not parse is ignored (the first page is shown), so a
mangled link still lands somewhere useful.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar, cast

from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import QueryDict

T = TypeVar("T", bound=Model)

COUNT_CAP = 1000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class CappedCount:
    """How many rows a list has, counted no further than `cap`."""

    value: int
    cap: int

    @property
    def more(self) -> bool:
        return self.value > self.cap

    def __str__(self) -> str:
        return f"more than {self.cap:,}" if self.more else f"{self.value:,}"


def capped_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> CappedCount:
    """`SELECT count(*) FROM (SELECT … LIMIT cap + 1)`: stops reading after cap + 1 rows."""
    return CappedCount(qs.order_by()[: cap + 1].count(), cap)


@dataclass(frozen=True)
class Cursor:
    at: dt.datetime
    pk: int

    def __str__(self) -> str:
        delta = self.at - EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}-{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        micros, sep, pk = text.partition("-")
        if not sep or not micros.lstrip("-").isdigit() or not pk.isdigit() or len(text) > 40:
            return None
        try:
            return cls(EPOCH + dt.timedelta(microseconds=int(micros)), int(pk))
        except OverflowError:
            return None


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    object_list: list[T]
    older: str | None  # the cursor for the next page towards the end of the order, if there is one
    newer: str | None  # the cursor for the page before, if there is one
    total: CappedCount

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def beyond_cursor(field: str, cursor: Cursor, op: str) -> Q:
    """Rows whose (`field`, id) is `op` ("lt" or "gt") the cursor's (at, pk), with the bound on the field alone
    first so that the index range is tight."""
    inclusive = "lte" if op == "lt" else "gte"
    return Q(**{f"{field}__{inclusive}": cursor.at}) & (
        Q(**{f"{field}__{op}": cursor.at}) | Q(**{field: cursor.at, f"id__{op}": cursor.pk})
    )


def keyset_page(
    qs: QuerySet[T],
    params: QueryDict,
    *,
    field: str,
    size: int,
    descending: bool = True,
    count_cap: int = COUNT_CAP,
) -> KeysetPage[T]:
    """One page of `qs` in the order (`field`, id), newest first if `descending`, from the cursor in
    `params` ("older" or "newer"). Two queries whatever the page: the capped count and the page itself.

    The index that carries it is the list's filter columns followed by (`field`, id), in the same direction.
    """
    older, newer = Cursor.parse(params.get("older")), Cursor.parse(params.get("newer"))
    sign = "-" if descending else ""
    forward = (f"{sign}{field}", f"{sign}id")
    backward = (f"{'' if descending else '-'}{field}", f"{'' if descending else '-'}id")
    after, before = ("lt", "gt") if descending else ("gt", "lt")

    def beyond(cursor: Cursor, op: str) -> Q:
        return beyond_cursor(field, cursor, op)

    if newer is not None and older is None:
        rows = list(qs.filter(beyond(newer, before)).order_by(*backward)[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        has_older = True
        has_newer = more_newer
    else:
        base = qs.filter(beyond(older, after)) if older is not None else qs
        rows = list(base.order_by(*forward)[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = older is not None and bool(rows)

    def key(row: T) -> str:
        return str(Cursor(getattr(row, field), int(row.pk)))

    return KeysetPage(
        object_list=rows,
        older=key(rows[-1]) if rows and has_older else None,
        newer=key(rows[0]) if rows and has_newer else None,
        total=capped_count(qs, count_cap),
    )


ADMIN_COUNT_CAP = 10_000


class CappedPaginator(Paginator[Any]):
    """For the admin's lists of tables that grow by a row per action (the audit log, messages): the count stops
    at `ADMIN_COUNT_CAP`, so the list and its first hundred pages cost the same at a million rows as at a hundred.
    Narrow the list with its filters to reach older rows. `admin/pagination.html` says "more than 10,000"."""

    cap = ADMIN_COUNT_CAP

    @cached_property
    def total(self) -> CappedCount:
        return capped_count(cast(QuerySet[Any], self.object_list), self.cap)

    @cached_property
    def count(self) -> int:
        return min(self.total.value, self.cap)

    @property
    def capped(self) -> bool:
        return self.total.more

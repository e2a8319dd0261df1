"""Keyset pagination by primary key for the police lists: a page is the rows after (or before) the id in
the link, read straight from an index, so no page counts the rows and the hundredth page costs what the
first does (issue 17). Links carry only a row id, never anything personal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    object_list: list[M]
    next_after: int | None  # the link to the next page: ?after=<id>
    previous_before: int | None  # the link to the page before: ?before=<id>

    @property
    def has_other_pages(self) -> bool:
        return self.next_after is not None or self.previous_before is not None


def _cursor(params: Mapping[str, Any], name: str) -> int | None:
    raw = str(params.get(name, "") or "")
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def keyset_page(queryset: QuerySet[M], *, params: Mapping[str, Any], size: int, newest_first: bool) -> KeysetPage[M]:
    """One page of `queryset` in id order (highest first with `newest_first`). `?after=<id>` is the page
    that follows that row; `?before=<id>` the page that leads up to it. A link that is not a number gives the
    first page. At most two queries: the page, and (on a page reached by a link) whether anything lies the
    other way."""
    after, before = _cursor(params, "after"), _cursor(params, "before")
    forward, backward = ("-pk", "pk") if newest_first else ("pk", "-pk")
    beyond = "pk__lt" if newest_first else "pk__gt"
    behind = "pk__gt" if newest_first else "pk__lt"
    if before is not None and after is None:
        rows = list(queryset.filter(**{behind: before}).order_by(backward)[: size + 1])
        more_behind = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            object_list=rows,
            next_after=rows[-1].pk if rows else None,
            previous_before=rows[0].pk if rows and more_behind else None,
        )
    base = queryset.filter(**{beyond: after}) if after is not None else queryset
    rows = list(base.order_by(forward)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    earlier = after is not None and bool(rows) and queryset.filter(**{behind: rows[0].pk}).exists()
    return KeysetPage(
        object_list=rows,
        next_after=rows[-1].pk if rows and more else None,
        previous_before=rows[0].pk if earlier else None,
    )

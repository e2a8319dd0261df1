"""Keyset pages and capped counts (onedoor/core/pagination.py, ADR 0034), on the messages table: a list that
grows without bound and is shown newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from onedoor.core.pagination import CappedPaginator, Cursor, capped_count, keyset_page
from onedoor.messaging.models import Message

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _params(**kw: str) -> QueryDict:
    q = QueryDict(mutable=True)
    q.update(kw)
    return q


def _walk(size: int, *, descending: bool) -> list[list[int]]:
    """Every page from the first, by the "older" links, as lists of ids."""
    pages, params = [], _params()
    while True:
        page = keyset_page(Message.objects.all(), params, field="created_at", size=size, descending=descending)
        pages.append([m.pk for m in page.object_list])
        if page.older is None:
            return pages
        params = _params(older=page.older)


class KeysetPaging(TestCase):
    # Minutes apart, with ties: several rows share a timestamp, so the id must break them.
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        minutes=st.lists(st.integers(min_value=0, max_value=6), min_size=0, max_size=30),
        size=st.integers(min_value=1, max_value=7),
        descending=st.booleans(),
    )
    def test_older_links_visit_every_row_once_in_order_and_newer_links_come_back(
        self, minutes: list[int], size: int, descending: bool
    ) -> None:
        Message.objects.all().delete()
        for m in minutes:
            Message.objects.create(kind="bench", created_at=START + dt.timedelta(minutes=m))
        key = [(m.created_at, m.pk) for m in Message.objects.all()]
        expected = [pk for _, pk in sorted(key, reverse=descending)]

        pages = _walk(size, descending=descending)
        assert [pk for page in pages for pk in page] == expected
        assert all(len(p) == size for p in pages[:-1])

        # From the last page, "newer" links lead back through the same pages to the first, which has none.
        params = _params()
        for _ in pages[:-1]:
            page = keyset_page(Message.objects.all(), params, field="created_at", size=size, descending=descending)
            params = _params(older=page.older or "")
        back = []
        page = keyset_page(Message.objects.all(), params, field="created_at", size=size, descending=descending)
        while True:
            back.append([m.pk for m in page.object_list])
            if page.newer is None:
                break
            page = keyset_page(
                Message.objects.all(), _params(newer=page.newer), field="created_at", size=size, descending=descending
            )
        assert back[::-1] == pages


@pytest.mark.django_db
def test_the_count_stops_at_its_cap_and_says_so() -> None:
    for i in range(12):
        Message.objects.create(kind="bench", created_at=START + dt.timedelta(minutes=i))
    assert str(capped_count(Message.objects.all(), cap=20)) == "12"
    capped = capped_count(Message.objects.all(), cap=10)
    assert capped.more and str(capped) == "more than 10"
    page = keyset_page(Message.objects.all(), _params(), field="created_at", size=5, count_cap=10)
    assert page.total.more and page.older is not None and page.newer is None


@pytest.mark.django_db
def test_the_admin_paginator_counts_no_further_than_its_cap() -> None:
    for i in range(12):
        Message.objects.create(kind="bench", created_at=START + dt.timedelta(minutes=i))

    class Small(CappedPaginator):
        cap = 10

    paginator = Small(Message.objects.order_by("-created_at", "-id"), 4)
    assert paginator.count == 10 and paginator.capped and paginator.num_pages == 3
    assert not Small(Message.objects.filter(kind="other").order_by("id"), 4).capped


@pytest.mark.parametrize("text", ["", "x", "12", "12-", "-5", "1-2-3", "9" * 30 + "-1", "12-ab", "a-1"])
def test_a_cursor_that_does_not_parse_is_ignored(text: str) -> None:
    assert Cursor.parse(text) is None


def test_a_cursor_round_trips() -> None:
    cursor = Cursor(START + dt.timedelta(microseconds=123_456), 42)
    assert Cursor.parse(str(cursor)) == cursor

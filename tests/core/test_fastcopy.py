"""Bulk inserts from plain values: the same rows on PostgreSQL (COPY) and elsewhere (bulk_create)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from onedoor.core import fastcopy
from onedoor.messaging.models import Message, MessageStatus
from onedoor.referrals.models import SignpostRecord, Source

pytestmark = pytest.mark.django_db


def test_values_come_back_with_their_ids_in_order() -> None:
    now = timezone.now()
    rows = [
        {
            "created_at": now,
            "source": Source.POLICE_TRANSFER,
            "flags": sorted({"repeat", f"flag-{n}"}),
            "signpost": [] if n % 2 else ["victim-support"],
            "reason": f"row {n}",
        }
        for n in range(5)
    ]
    ids = fastcopy.insert_values(SignpostRecord, rows, with_ids=True)
    assert len(set(ids)) == 5
    saved = {r.pk: r for r in SignpostRecord.objects.filter(pk__in=ids)}
    for pk, row in zip(ids, rows, strict=True):
        assert saved[pk].reason == row["reason"]
        assert saved[pk].flags == row["flags"] and saved[pk].signpost == row["signpost"]  # JSON round trip
        assert saved[pk].gap is False  # a field left out takes its default


def test_callable_defaults_are_called_for_every_row() -> None:
    now = timezone.now()
    base = {"kind": "support-offer", "status": MessageStatus.WITHHELD, "withheld_reasons": ["under_16"]}
    ids = fastcopy.insert_values(
        Message, [{**base, "created_at": now, "updated_at": now} for _ in range(3)], with_ids=True
    )
    references = set(Message.objects.filter(pk__in=ids).values_list("reference", flat=True))
    assert len(references) == 3  # a fresh random reference each, never one shared default


def test_without_ids_nothing_is_returned_and_the_rows_are_there() -> None:
    now = timezone.now()
    assert fastcopy.insert_values(SignpostRecord, [{"created_at": now, "source": Source.SELF}]) == []
    assert SignpostRecord.objects.filter(source=Source.SELF).count() == 1


def test_a_duplicate_key_is_djangos_integrity_error_on_either_path() -> None:
    # Callers (the police import's parallel chunks) retry on django.db.IntegrityError; psycopg's own error
    # from a raw COPY would escape that and fail the batch.
    now = timezone.now()
    row: dict[str, Any] = {"kind": "support-offer", "status": MessageStatus.WITHHELD, "withheld_reasons": ["under_16"]}
    row |= {"created_at": now, "updated_at": now}
    reference = uuid.uuid4()
    fastcopy.insert_values(Message, [{**row, "reference": reference}])
    with pytest.raises(IntegrityError), transaction.atomic():
        fastcopy.insert_values(Message, [{**row, "reference": reference}])
    with pytest.raises(IntegrityError), transaction.atomic():
        fastcopy.insert(Message, [Message(**row, reference=reference)])
    assert Message.objects.filter(reference=reference).count() == 1


def test_rows_as_tuples_with_fixed_values_on_every_row() -> None:
    from datetime import date

    from onedoor.insights.models import FactDay

    columns = ("fact", "day", "service", "district", "offence_group", "source", "age_band", "detail", "n")
    rows = [("f.one", date(2026, 4, 1), "vs", "E07", "sexual", "self", "under-16", "", 3)]
    rows.append(("f.two", date(2026, 4, 2), "vs", "E07", "sexual", "police", "65-and-over", "female", 1))
    assert fastcopy.insert_rows(FactDay, columns, iter(rows), fixed={"rollup": "test"}) == 2
    stored = FactDay.objects.order_by("fact").values_list("rollup", *columns)
    assert list(stored) == [("test", *row) for row in rows]


def test_rows_as_tuples_refuse_a_model_with_made_defaults() -> None:
    with pytest.raises(ValueError, match="use insert_values"):
        fastcopy.insert_rows(Message, ["channel"], [("x",)])

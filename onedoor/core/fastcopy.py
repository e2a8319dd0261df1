"""Bulk inserts for large imports (the police transfer): PostgreSQL COPY, or bulk_create elsewhere.

On PostgreSQL, primary keys are taken from the table's sequence first (one query), so the objects come back
with their ids as with bulk_create, and the rows then travel by COPY, which skips SQL parsing and Django's
per-value preparation. Values are the model instances' own attributes, after each field's `pre_save` (so
`auto_now` and `auto_now_add` behave as with `save()`); JSON fields are sent as jsonb. SQLite (and any other
database) uses `bulk_create`, so both paths give the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def insert(model: type[M], objs: Sequence[M]) -> list[M]:
    if not objs:
        return list(objs)
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(list(objs), batch_size=1000)
    from psycopg.types.json import Jsonb

    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = list(meta.concrete_fields)
    missing = [o for o in objs if o.pk is None]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        columns = ", ".join(quote(str(f.column)) for f in fields)
        json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
        auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                for f in auto:
                    f.pre_save(obj, add=True)
                row: list[Any] = []
                for f in fields:
                    value = getattr(obj, f.attname)
                    row.append(Jsonb(value) if f.attname in json_fields else value)
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)

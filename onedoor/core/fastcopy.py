"""Bulk inserts for large imports (the police transfer): PostgreSQL COPY, or bulk_create elsewhere.

On PostgreSQL, primary keys are taken from the table's sequence first (one query), so the objects come back
with their ids as with bulk_create, and the rows then travel by COPY, which skips SQL parsing and Django's
per-value preparation. Values are the model instances' own attributes, after each field's `pre_save` (so
`auto_now` and `auto_now_add` behave as with `save()`); JSON fields are sent as jsonb. SQLite (and any other
database) uses `bulk_create`, so both paths give the same rows.

`insert_values` does the same from plain dicts of attribute values, without building a model instance per
row (the costliest part of a bulk write in Python): fields left out get their model default, as `Model()`
would give them.

`insert_rows` is the same again from plain tuples, for rows made in Python by the hundred thousand (the
insights rollups' day rows).

`update_values` is the same for changed rows: on PostgreSQL a temporary table filled by COPY, then one
`UPDATE ... FROM` it (Django's `bulk_update` builds a CASE per field per row, slow and memory-hungry at this
size); elsewhere `UPDATE ... FROM (VALUES ...)` in parts (SQLite 3.33+), so both paths give the same rows.

COPY runs on psycopg's own cursor, so its errors are translated into Django's (`wrap_database_errors`), as
for any query: a duplicate key is `django.db.IntegrityError` on both paths, which callers retry on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from json import dumps
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

from django.db import connection, models, transaction
from psycopg.types.json import Jsonb

M = TypeVar("M", bound=models.Model)


def _copy_sql(meta: Any, fields: Sequence[models.Field[Any, Any]]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    return f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"


def insert(model: type[M], objs: Sequence[M]) -> list[M]:
    if not objs:
        return list(objs)
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(list(objs), batch_size=1000)
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = list(meta.concrete_fields)
    missing = [o for o in objs if o.pk is None]
    with connection.cursor() as cursor:
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(missing)],
            )
            for obj, (value,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        values = attrgetter(*(f.attname for f in fields))  # more than one field: returns a tuple
        with connection.wrap_database_errors, cursor.cursor.copy(_copy_sql(meta, fields)) as copy:
            for obj in objs:
                for f in auto:
                    f.pre_save(obj, add=True)
                row = list(values(obj))
                for i in json_at:
                    row[i] = Jsonb(row[i])
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def insert_values(model: type[models.Model], rows: Iterable[dict[str, Any]], *, with_ids: bool = False) -> list[int]:
    """Insert rows given as {attname: value}, every row with the same keys; returns their primary keys
    when `with_ids` (taken from the table's sequence first, as `insert` does), otherwise an empty list.
    Fields not given take their default; `auto_now`/`auto_now_add` fields must be given."""
    rows = list(rows)
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    if connection.vendor != "postgresql":
        saved = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [obj.pk for obj in saved] if with_ids else []
    by_name = {f.attname: f for f in meta.concrete_fields}
    # COPY takes the columns in any order: the given values first, as they come, then the id, then
    # defaults made per row (a random reference, say), then the same defaults for every row, made once.
    given = list(rows[0])
    per_row = [
        f
        for f in meta.concrete_fields
        if f.attname not in given and not f.primary_key and f.has_default() and callable(f.default)
    ]
    constant = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key and f not in per_row]
    constants = [_copy_value(f, f.get_default()) for f in constant]
    fields = [by_name[a] for a in given] + ([pk] if with_ids else []) + per_row + constant
    json_at = [i for i, a in enumerate(given) if isinstance(by_name[a], models.JSONField)]
    values_of = itemgetter(*given)
    single = len(given) == 1
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            ids = [value for (value,) in cursor.fetchall()]
        with connection.wrap_database_errors, cursor.cursor.copy(_copy_sql(meta, fields)) as copy:
            for i, row in enumerate(rows):
                values = [values_of(row)] if single else list(values_of(row))
                for j in json_at:
                    values[j] = dumps(values[j])
                if with_ids:
                    values.append(ids[i])
                for f in per_row:
                    values.append(_copy_value(f, f.get_default()))
                copy.write_row(values + constants)
    return ids


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    fixed: dict[str, Any] | None = None,
) -> int:
    """Insert rows given as sequences of plain values in `columns` order (attribute names; no JSON), with the
    `fixed` values on every row and every other field its (not callable) default: `insert_values` without a
    dict a row, for rows made by the hundred thousand. Returns the rows written."""
    fixed = fixed or {}
    meta = model._meta
    by_name = {f.attname: f for f in meta.concrete_fields}
    rest = [f for f in meta.concrete_fields if not f.primary_key and f.attname not in {*columns, *fixed}]
    given = [by_name[c] for c in columns]
    if any((f.has_default() and callable(f.default)) or isinstance(f, models.JSONField) for f in [*rest, *given]):
        raise ValueError(f"insert_rows takes plain values only: use insert_values for {meta.label}")
    tail = [*fixed.values(), *(f.get_default() for f in rest)]
    names = [*columns, *fixed, *(f.attname for f in rest)]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(names, [*row, *tail], strict=True))) for row in rows]
        return len(model._default_manager.bulk_create(objs, batch_size=1000))
    written = 0
    with connection.cursor() as cursor:
        sql = _copy_sql(meta, [by_name[n] for n in names])
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([*row, *tail] if tail else row)
                written += 1
    return written


def _copy_value(field: models.Field[Any, Any], value: Any) -> Any:
    # JSON goes as its text, which PostgreSQL parses: psycopg's Jsonb wrapper costs more per row.
    return dumps(value) if isinstance(field, models.JSONField) else value


UPDATE_PARAMS = 4000  # bound parameters per UPDATE ... FROM (VALUES ...) statement where there is no COPY


def update_values(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Set `columns` (attribute names) on existing rows, each row given as [primary key, *values in column
    order]; returns the number of rows written. One COPY and one UPDATE on PostgreSQL, whatever the count."""
    if not rows:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    by_name = {f.attname: f for f in meta.concrete_fields}
    unknown = [c for c in columns if c not in by_name or c == pk.attname]
    if unknown:
        raise ValueError(f"update_values: {model.__name__} has no updatable columns {unknown}")
    fields = [by_name[c] for c in columns]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    key = quote(str(pk.column))
    targets = [quote(str(f.column)) for f in fields]
    written = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            json_at = [1 + i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            temp = quote(f"od_update_{meta.db_table}")
            # The temporary table takes the real columns' types; no constraints, dropped below (or at commit).
            cursor.execute(
                f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "  # noqa: S608 - quoted names, no values
                f"SELECT {key}, {', '.join(targets)} FROM {table} WITH NO DATA"
            )
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {temp} FROM STDIN") as copy:
                for row in rows:
                    if json_at:
                        row = list(row)
                        for j in json_at:
                            row[j] = dumps(row[j])
                    copy.write_row(row)
            assignments = ", ".join(f"{t} = v.{t}" for t in targets)
            # The id range lets PostgreSQL find the rows by the primary key whatever its statistics say;
            # without it a stale plan can hash the whole table for every call.
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {temp} AS v "  # noqa: S608 - quoted names
                f"WHERE {table}.{key} = v.{key} AND {table}.{key} BETWEEN %s AND %s",
                [min(r[0] for r in rows), max(r[0] for r in rows)],
            )
            written = int(cursor.rowcount)
            cursor.execute(f"DROP TABLE {temp}")
            return written
        width = len(fields) + 1
        part_size = max(1, UPDATE_PARAMS // width)
        placeholder = "(" + ", ".join(["%s"] * width) + ")"
        assignments = ", ".join(f"{t} = v.column{i + 2}" for i, t in enumerate(targets))
        for start in range(0, len(rows), part_size):
            part = rows[start : start + part_size]
            params: list[Any] = []
            for row in part:
                params.append(row[0])
                params += [f.get_db_prep_value(value, connection) for f, value in zip(fields, row[1:], strict=True)]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([placeholder] * len(part))}) AS v "  # noqa: S608 - quoted names; values are parameters
                f"WHERE {table}.{key} = v.column1",
                params,
            )
            written += int(cursor.rowcount)
    return written

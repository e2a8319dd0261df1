"""Census comparators as area reference data, from Nomis bulk tables (one row per area, one column per
category, each headed "<variable>: <category>; measures: Value").

The table, Census year and source are stored with the counts and shown wherever a comparator is used.
Which columns make which category is reference data (`reference/census-categories.json`), so an
administrator loads Census 2021 TS021 ethnicity or TS008 sex in the same format with no code change."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.models import CensusCount, CensusTable
from onedoor.insights.context.vocab import REFERENCE_DIR

_SINGLE_YEAR = re.compile(r"^Age: Aged (under 1|\d+) years?( and over)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ComparatorCategory:
    code: str
    label: str
    columns: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None


@cache
def comparator_categories() -> dict[str, tuple[ComparatorCategory, ...]]:
    data = json.loads((REFERENCE_DIR / "census-categories.json").read_text(encoding="utf-8"))
    return {
        name: tuple(
            ComparatorCategory(
                code=c["code"],
                label=c["label"],
                columns=tuple(c.get("columns", ())),
                min_age=c.get("min_age"),
                max_age=c.get("max_age"),
            )
            for c in spec["categories"]
        )
        for name, spec in data["characteristics"].items()
    }


@dataclass
class CensusRead:
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (district, category) -> persons
    errors: list[str] = field(default_factory=list)


def _label(column: str) -> str:
    return column.split(";")[0].strip()


def _column_map(header: list[str], characteristic: str) -> dict[int, str]:
    """Which column feeds which category code."""
    cats = comparator_categories().get(characteristic)
    if cats is None:
        raise ContextDataError(
            f"No comparator is defined for {characteristic!r}; "
            f"choose one of {', '.join(sorted(comparator_categories()))}."
        )
    mapping: dict[int, str] = {}
    labels = [_label(h) for h in header]
    if characteristic == "age_band":
        # Single years, and the open top band ("100 years and over") only: "85 years and over" is a subtotal
        # of single years the table also gives.
        ages: dict[int, int] = {}
        for i, label in enumerate(labels):
            if (m := _SINGLE_YEAR.match(label)) and not m[2]:
                ages[i] = 0 if m[1].lower() == "under 1" else int(m[1])
        oldest = max(ages.values(), default=-1)
        for i, label in enumerate(labels):
            if (m := _SINGLE_YEAR.match(label)) and m[2] and m[1].isdigit() and int(m[1]) > oldest:
                ages[i] = int(m[1])
        for i, age in ages.items():
            for c in cats:
                if c.min_age is not None and age >= c.min_age and (c.max_age is None or age <= c.max_age):
                    mapping[i] = c.code
    else:
        for c in cats:
            found = [i for i, label in enumerate(labels) if label.lower() in {x.lower() for x in c.columns}]
            if len(found) != 1:
                raise ContextDataError(
                    f"The table has {'no' if not found else 'more than one'} column for {c.label!r} "
                    f"({characteristic}): "
                    f"expected one headed {' or '.join(repr(x) for x in c.columns)}. Check that the file is the "
                    "Nomis bulk download of the table named."
                )
            mapping[found[0]] = c.code
    missing = {c.code for c in cats} - set(mapping.values())
    if missing:
        raise ContextDataError(
            f"The table gives nothing for {', '.join(sorted(missing))}; for age it needs single-year columns such as "
            "'Age: Aged 30 years; measures: Value'."
        )
    return mapping


def read_census(lines: Iterable[str], *, characteristic: str, districts: frozenset[str]) -> CensusRead:
    """The persons in each of `districts` by category. Rows for other geographies are skipped."""
    reader = csv.reader(lines)
    try:
        header = [h.lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise ContextDataError("The Census file is empty.") from None
    try:
        geo = [h.strip().lower() for h in header].index("geography code")
    except ValueError:
        raise ContextDataError(
            "The Census file has no 'geography code' column: use a Nomis bulk download, which has one."
        ) from None
    mapping = _column_map(header, characteristic)
    out = CensusRead()
    for line, row in enumerate(reader, start=2):
        if len(row) != len(header):
            if any(c.strip() for c in row):
                out.errors.append(f"line {line}: {len(row)} columns where the header has {len(header)}")
            continue
        code = row[geo].strip()
        if code not in districts:
            continue
        totals: dict[str, int] = {}
        for i, category in mapping.items():
            value = row[i].strip().replace(",", "")
            if not value.isdigit():
                out.errors.append(f"line {line}, {_label(header[i])}: {value[:20]!r} is not a whole number of persons")
                break
            totals[category] = totals.get(category, 0) + int(value)
        else:
            if any(d == code for d, _ in out.counts):
                out.errors.append(f"line {line}: {code} appears twice; keep one row for it")
                continue
            out.counts.update({(code, c): n for c, n in totals.items()})
    found = {d for d, _ in out.counts}
    for code in sorted(districts - found):
        out.errors.append(f"district {code} is not in the file; the comparator will have no figures for it")
    return out


@transaction.atomic
def census_table_load(
    *, read: CensusRead, characteristic: str, table: str, year: int, title: str, source: str, actor: Any
) -> CensusTable:
    """Store (or replace) one comparator table."""
    if not read.counts:
        raise ContextDataError("Nothing to load: the file has no rows for the area's districts.")
    record, created = CensusTable.objects.update_or_create(
        characteristic=characteristic,
        table=table,
        year=year,
        defaults={"title": title, "source": source, "loaded_at": timezone.now()},
    )
    record.counts.all().delete()
    CensusCount.objects.bulk_create(
        [CensusCount(table=record, district_code=d, category=c, persons=n) for (d, c), n in sorted(read.counts.items())]
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONTEXT_CENSUS_LOADED,
        obj=record,
        detail={
            "table": table,
            "year": year,
            "characteristic": characteristic,
            "created": created,
            "cells": len(read.counts),
        },
    )
    return record


@dataclass(frozen=True)
class Comparator:
    """The population of the area (or one district) by category, from one Census table."""

    table: CensusTable
    persons: dict[str, int]  # category code -> persons

    @property
    def total(self) -> int:
        return sum(self.persons.values())


def comparator(characteristic: str, *, district: str | None = None) -> Comparator | None:
    """The latest loaded comparator for a characteristic (the newest Census year), or None."""
    table = CensusTable.objects.filter(characteristic=characteristic).order_by("-year", "-loaded_at").first()
    if table is None:
        return None
    counts = table.counts.all() if district is None else table.counts.filter(district_code=district)
    persons: dict[str, int] = {}
    for c in counts:
        persons[c.category] = persons.get(c.category, 0) + c.persons
    return Comparator(table=table, persons=persons)


def district_populations() -> tuple[dict[str, int], CensusTable | None]:
    """Residents by district from the latest age comparator (all ages), for rates per 1,000."""
    table = CensusTable.objects.filter(characteristic="age_band").order_by("-year", "-loaded_at").first()
    if table is None:
        return {}, None
    out: dict[str, int] = {}
    for d, n in table.counts.values_list("district_code", "persons"):
        out[d] = out.get(d, 0) + n
    return out, table

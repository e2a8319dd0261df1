"""The ONS LSOA-to-district lookup, with IMD ranks, as area reference data.

Any ONS lookup in the usual shape will do: a header naming an LSOA code column (`LSOA11CD`, `LSOA21CD`), a
district code column (`LAD19CD`, `LAD22CD`, `LTLA...`), optionally their names and an IMD rank (`IMD19`).
The area file names the lookup holding the area's own LSOAs; a national lookup can be loaded beside it so
that rows in neighbouring districts are placed too (they count as outside the area)."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import transaction

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.models import LsoaArea
from onedoor.insights.context.vocab import REFERENCE_DIR

LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
DISTRICT_CODE = re.compile(r"^[EWSN]\d{8}$")

_LSOA_COLUMN = re.compile(r"^LSOA(\d\d)CD$", re.IGNORECASE)
_DISTRICT_COLUMN = re.compile(r"^(LAD|LTLA)(\d\d)CD$", re.IGNORECASE)
_IMD_COLUMN = re.compile(r"^IMD(\d\d)$", re.IGNORECASE)


@dataclass(frozen=True)
class LookupRow:
    code: str
    name: str
    district_code: str
    district_name: str
    imd_rank: int | None


@dataclass
class LookupFile:
    lookup: str  # e.g. "LSOA11-LAD19-IMD19"
    rows: list[LookupRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _column(header: list[str], pattern: re.Pattern[str], what: str, *, required: bool = True) -> int | None:
    found = [i for i, name in enumerate(header) if pattern.match(name.strip())]
    if not found and required:
        raise ContextDataError(
            f"The lookup's header has no {what} column. Its columns are: {', '.join(h.strip() for h in header)}. "
            "Use an ONS lookup with columns such as LSOA11CD, LAD19CD and, optionally, IMD19."
        )
    return found[0] if found else None


def read_lookup(lines: Iterable[str]) -> LookupFile:
    """Parse an ONS lookup. A bad header raises; each bad row is an error and the others are kept."""
    reader = csv.reader(lines)
    try:
        header = [h.lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise ContextDataError("The lookup file is empty: it needs a header row and one row per LSOA.") from None
    lsoa = _column(header, _LSOA_COLUMN, "LSOA code (such as LSOA11CD)")
    district = _column(header, _DISTRICT_COLUMN, "district code (such as LAD19CD)")
    imd = _column(header, _IMD_COLUMN, "IMD rank", required=False)
    assert lsoa is not None and district is not None
    lsoa_name = next(
        (i for i, h in enumerate(header) if h.strip().upper() == header[lsoa].strip().upper()[:-2] + "NM"), None
    )
    district_name = next(
        (i for i, h in enumerate(header) if h.strip().upper() == header[district].strip().upper()[:-2] + "NM"), None
    )
    label = "-".join(
        header[i].strip().upper()[:-2] if i != imd else header[i].strip().upper()
        for i in (lsoa, district, imd)
        if i is not None
    )
    out = LookupFile(lookup=label)
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            out.errors.append(f"line {line}: {len(row)} columns where the header has {len(header)}; check the row")
            continue
        code, dcode = row[lsoa].strip(), row[district].strip()
        if not LSOA_CODE.match(code):
            out.errors.append(f"line {line}, {header[lsoa]}: {code[:20]!r} is not an LSOA code such as E01031000")
            continue
        if not DISTRICT_CODE.match(dcode):
            out.errors.append(
                f"line {line}, {header[district]}: {dcode[:20]!r} is not a district code such as E06000001"
            )
            continue
        rank: int | None = None
        if imd is not None and row[imd].strip():
            if not row[imd].strip().isdigit():
                out.errors.append(f"line {line}, {header[imd]}: {row[imd][:20]!r} is not a whole-number rank")
                continue
            rank = int(row[imd].strip())
        if code in seen:
            out.errors.append(f"line {line}: LSOA {code} appears twice; keep one row for it")
            continue
        seen.add(code)
        out.rows.append(
            LookupRow(
                code=code,
                name=row[lsoa_name].strip() if lsoa_name is not None else "",
                district_code=dcode,
                district_name=row[district_name].strip() if district_name is not None else "",
                imd_rank=rank,
            )
        )
    return out


@dataclass(frozen=True)
class LookupLoaded:
    created: int
    updated: int
    unchanged: int
    in_area: int

    def summary(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "in_area": self.in_area}


@transaction.atomic
def lsoa_lookup_load(*, lookup: LookupFile, area_districts: frozenset[str], actor: Any) -> LookupLoaded:
    """Create or bring into line the lookup's LSOAs. An LSOA is in the area when its district is."""
    existing = {a.code: a for a in LsoaArea.objects.filter(code__in=[r.code for r in lookup.rows])}
    new, changed = [], []
    for r in lookup.rows:
        values = {
            "name": r.name,
            "district_code": r.district_code,
            "district_name": r.district_name,
            "in_area": r.district_code in area_districts,
            "imd_rank": r.imd_rank,
            "lookup": lookup.lookup,
        }
        row = existing.get(r.code)
        if row is None:
            new.append(LsoaArea(code=r.code, **values))
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed.append(row)
    LsoaArea.objects.bulk_create(new, batch_size=2000)
    LsoaArea.objects.bulk_update(
        changed, ["name", "district_code", "district_name", "in_area", "imd_rank", "lookup"], batch_size=2000
    )
    result = LookupLoaded(
        created=len(new),
        updated=len(changed),
        unchanged=len(lookup.rows) - len(new) - len(changed),
        in_area=sum(1 for r in lookup.rows if r.district_code in area_districts),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONTEXT_LSOA_LOOKUP_LOADED,
        detail={"lookup": lookup.lookup, **result.summary(), "errors": len(lookup.errors)},
    )
    return result


@dataclass(frozen=True)
class Imd:
    code: str
    title: str
    lsoas: int


@cache
def imd_index() -> Imd:
    data = json.loads((REFERENCE_DIR / "imd.json").read_text(encoding="utf-8"))
    row = data["rows"][0]
    return Imd(code=row["code"], title=row["title"], lsoas=row["lsoas"])


def imd_decile(rank: int, *, lsoas: int) -> int:
    """The national decile of an IMD rank: 1 holds the most deprived tenth of LSOAs."""
    if not 1 <= rank <= lsoas:
        raise ValueError(f"IMD rank {rank} is outside 1 to {lsoas}")
    return min(10, math.ceil(rank * 10 / lsoas))

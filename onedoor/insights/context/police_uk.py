"""Import the public data.police.uk files: street-level crimes and outcomes, any month, any force of the area.

What is kept is counts only: by month, LSOA (and so district), public crime type, outcome category and whether
the row was anti-social behaviour. The files are anonymous crime rows, not the victim-level police transfer
(`onedoor.police`), which is why `import_police` refuses them and this reads them.

A file is told apart by its header. Each (force, month, kind) is stored once: importing the same rows again
changes nothing, and different rows for the same force and month replace what was there, saying so."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.lookup import LSOA_CODE
from onedoor.insights.context.models import FileKind, Location, LsoaArea, PublicCrimeCount, PublicCrimeMonth
from onedoor.insights.context.vocab import Vocabularies, slug, vocabularies

_COMMON = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
]
HEADERS = {
    FileKind.STREET: [*_COMMON, "Crime type", "Last outcome category", "Context"],
    FileKind.OUTCOMES: [*_COMMON, "Outcome type"],
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

# (month, kind, location, district, lsoa, crime type, outcome, asb, has crime id)
CountKey = tuple[date, str, str, str, str, str, str, bool, bool]


@dataclass
class FileRead:
    """One file, read: its kind and force, its counts by key, and what was wrong with it."""

    name: str
    kind: FileKind | None = None
    force_code: str = ""
    rows: int = 0
    counts: Counter[CountKey] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    refused: str = ""


def _kind(header: list[str]) -> FileKind:
    cleaned = [h.strip().lstrip("\ufeff") for h in header]
    for kind, expected in HEADERS.items():
        if cleaned == expected:
            return kind
    expected_text = " | ".join(f"{k.label.lower()}: {','.join(h)}" for k, h in HEADERS.items())
    raise ContextDataError(
        f"The header is not a data.police.uk street or outcomes file: it reads {','.join(cleaned)[:300]!r}. "
        f"Expected exactly one of these: {expected_text}."
    )


def read_police_uk(
    name: str, lines: Iterable[str], *, area_forces: frozenset[str], lsoas: dict[str, tuple[bool, str]]
) -> FileRead:
    """Read one file into counts. `lsoas` maps an LSOA code to (in the area, district code). A wrong header or
    a file from a force outside the area refuses the whole file; a bad row is an error and is left out, and
    every other row is kept."""
    vocab = vocabularies()
    out = FileRead(name=name)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        out.refused = f"{name}: the file is empty; a data.police.uk file starts with its header row."
        return out
    try:
        out.kind = _kind(header)
    except ContextDataError as exc:
        out.refused = f"{name}: {exc}"
        return out
    width = len(HEADERS[out.kind])
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        out.rows += 1
        problem = _row(out, vocab, row, width, area_forces, lsoas, line)
        if out.refused:
            out.counts.clear()
            return out
        if problem:
            out.errors.append(f"{name} line {line}: {problem}")
    return out


def _force(out: FileRead, vocab: Vocabularies, name: str, area_forces: frozenset[str]) -> str:
    force = vocab.force_named(name)
    if force is None:
        return f"“{name[:60]}” is not a police force data.police.uk names; check the Falls within column"
    if force.code not in area_forces and out.force_code:
        return f"this row is from {force.police_uk_name} ({force.code}), a force outside this area; it was left out"
    if force.code not in area_forces:
        ours = ", ".join(f"{f.police_uk_name} ({f.code})" for f in map(vocab.force_coded, sorted(area_forces)) if f)
        out.refused = (
            f"{out.name}: this file is from {force.police_uk_name} ({force.code}), a force outside this area. "
            f"Import only files for {ours or 'the force codes in the area file'}; nothing from this file was stored."
        )
        return "the file is from another force"
    if out.force_code and force.code != out.force_code:
        return f"this row is from {force.police_uk_name}, the rest of the file from another force; split the file"
    out.force_code = force.code
    return ""


def _row(
    out: FileRead,
    vocab: Vocabularies,
    row: list[str],
    width: int,
    area_forces: frozenset[str],
    lsoas: dict[str, tuple[bool, str]],
    line: int,
) -> str:
    if len(row) != width:
        return f"{len(row)} columns where the header has {width}; the row is malformed (a stray comma or quote?)"
    crime_id, month_text, _by, falls_within = (c.strip() for c in row[:4])
    lsoa = row[7].strip()
    if problem := _force(out, vocab, falls_within, area_forces):
        return problem
    m = _MONTH.match(month_text)
    if not m or not 1 <= int(m[2]) <= 12:
        return f"Month {month_text[:20]!r} is not a month such as 2019-07"
    month = date(int(m[1]), int(m[2]), 1)
    crime_type, outcome_label = "", ""
    if out.kind is FileKind.STREET:
        type_label, outcome_label = row[9].strip(), row[10].strip()
        crime_type = slug(type_label)
        if crime_type not in vocab.crime_types:
            return (
                f"Crime type {type_label[:60]!r} is not in the public crime types (version "
                f"{vocab.versions['police_uk_crime_types']}); correct it or add it to the vocabulary"
            )
    else:
        outcome_label = row[9].strip()
        if not outcome_label:
            return "Outcome type is empty; every row of an outcomes file names its outcome"
    outcome = slug(outcome_label) if outcome_label else ""
    if outcome and outcome not in vocab.outcomes:
        return (
            f"outcome {outcome_label[:80]!r} is not in the outcome categories (version "
            f"{vocab.versions['police_uk_outcomes']}); add it, with its group, to the vocabulary"
        )
    asb = bool(crime_type) and vocab.crime_types[crime_type].asb
    if not lsoa:
        location, district = Location.NONE, ""
    elif not LSOA_CODE.match(lsoa):
        return f"LSOA code {lsoa[:20]!r} is not an LSOA code such as E01031000"
    elif lsoa not in lsoas:
        return (
            f"LSOA {lsoa} is not in the LSOA lookup loaded; load the ONS lookup that has it "
            "(manage.py load_lsoa_lookup FILE), then import the file again"
        )
    else:
        inside, district = lsoas[lsoa]
        location = Location.IN_AREA if inside else Location.OUTSIDE
    key: CountKey = (
        month,
        out.kind.value if out.kind else "",
        location.value,
        district,
        lsoa,
        crime_type,
        outcome,
        asb,
        bool(crime_id),
    )
    out.counts[key] += 1
    return ""


def lsoa_index() -> dict[str, tuple[bool, str]]:
    return {
        code: (inside, district)
        for code, inside, district in LsoaArea.objects.values_list("code", "in_area", "district_code")
    }


@dataclass
class ImportSummary:
    rows: int = 0
    crimes: int = 0
    asb: int = 0
    months: set[str] = field(default_factory=set)
    by_district: Counter[str] = field(default_factory=Counter)
    crimes_by_district: Counter[str] = field(default_factory=Counter)
    outside_area: int = 0
    no_location: int = 0
    created: int = 0
    replaced: int = 0
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "crimes": self.crimes,
            "asb": self.asb,
            "months": sorted(self.months),
            "by_district": dict(sorted(self.by_district.items())),
            "crimes_by_district": dict(sorted(self.crimes_by_district.items())),
            "outside_area": self.outside_area,
            "no_location": self.no_location,
            "created": self.created,
            "replaced": self.replaced,
            "errors": self.errors,
        }


def _tally(summary: ImportSummary, read: FileRead) -> None:
    summary.rows += read.rows
    summary.errors += len(read.errors) + (1 if read.refused else 0)
    summary.messages.extend(read.errors)
    if read.refused:
        summary.messages.append(read.refused)
        return
    for (month, _kind, location, district, _lsoa, _type, _outcome, asb, has_id), n in read.counts.items():
        summary.months.add(f"{month:%Y-%m}")
        summary.crimes += n if has_id else 0
        summary.asb += n if asb else 0
        if location == Location.IN_AREA:
            summary.by_district[district] += n
            if has_id:
                summary.crimes_by_district[district] += n
        elif location == Location.OUTSIDE:
            summary.outside_area += n
        else:
            summary.no_location += n


def _content_hash(counts: dict[CountKey, int]) -> str:
    canonical = json.dumps(sorted([[str(v) for v in key] + [n] for key, n in counts.items()]), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def _store_month(*, read: FileRead, month: date, counts: dict[CountKey, int], actor: Any) -> tuple[str, str]:
    """Store one (force, month, kind); returns "created", "replaced" or "unchanged", and what changed."""
    assert read.kind is not None
    digest = _content_hash(counts)
    rows = sum(counts.values())
    existing = (
        PublicCrimeMonth.objects.select_for_update()
        .filter(force_code=read.force_code, month=month, kind=read.kind)
        .first()
    )
    if existing is not None and existing.content_hash == digest:
        return "unchanged", ""
    now = timezone.now()
    if existing is None:
        record = PublicCrimeMonth.objects.create(
            force_code=read.force_code,
            month=month,
            kind=read.kind,
            file_name=read.name[:255],
            content_hash=digest,
            rows=rows,
            imported_at=now,
        )
        outcome = "created"
        detail: dict[str, Any] = {}
    else:
        detail = {"rows_before": existing.rows}
        existing.counts.all().delete()
        existing.file_name, existing.content_hash, existing.rows, existing.imported_at = (
            read.name[:255],
            digest,
            rows,
            now,
        )
        existing.replaced_count += 1
        existing.save()
        record, outcome = existing, "replaced"
    PublicCrimeCount.objects.bulk_create(
        [
            PublicCrimeCount(
                month_file=record,
                month=key[0],
                kind=key[1],
                location=key[2],
                district_code=key[3],
                lsoa_code=key[4],
                crime_type=key[5],
                outcome=key[6],
                asb=key[7],
                has_crime_id=key[8],
                n=n,
            )
            for key, n in counts.items()
        ],
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CONTEXT_POLICE_UK_IMPORTED,
        obj=record,
        detail={
            "force": read.force_code,
            "month": f"{month:%Y-%m}",
            "kind": str(read.kind),
            "rows": rows,
            "outcome": outcome,
            **detail,
        },
    )
    return outcome, f"{detail.get('rows_before', 0):,} rows before, {rows:,} now"


def police_uk_import(*, files: Iterable[tuple[str, bytes]], area_forces: frozenset[str], actor: Any) -> ImportSummary:
    """Import data.police.uk files, each (name, bytes). One transaction per stored month; nothing is sent."""
    summary = ImportSummary()
    lsoas = lsoa_index()
    for name, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            summary.errors += 1
            summary.messages.append(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV and import again")
            continue
        read = read_police_uk(name, io.StringIO(text, newline=""), area_forces=area_forces, lsoas=lsoas)
        _tally(summary, read)
        if read.refused:
            continue
        by_month: dict[date, dict[CountKey, int]] = {}
        for key, n in read.counts.items():
            by_month.setdefault(key[0], {})[key] = n
        known = vocabularies().force_coded(read.force_code)
        force = f"{known.police_uk_name if known else read.force_code} ({read.force_code})"
        kind_label = read.kind.label.lower() if read.kind else ""
        for month, counts in sorted(by_month.items()):
            outcome, before = _store_month(read=read, month=month, counts=counts, actor=actor)
            if outcome == "created":
                summary.created += 1
            elif outcome == "replaced":
                summary.replaced += 1
                summary.notices.append(
                    f"{name}: replaced the {kind_label} figures for {month:%Y-%m} from {force}: {before}"
                )
    return summary

"""Postcodes: the ONS Postcode Directory (ONSPD) for the area, and what OneDoor does with it.

- `postcode_normalise` turns what a person typed into ONSPD's `pcds` form ("cv344rl" -> "CV34 4RL").
- `postcode_find` looks one up; `postcodes_loaded` says whether there is anything to look up in.
- `miles_between` is the straight-line (great-circle) distance. OneDoor never claims a travel distance.
- `onspd_rows` reads an ONSPD CSV, keeping live postcodes in the given postcode districts that have a
  grid reference; `postcodes_load` (onedoor.directory.services) replaces the table with them.

ONSPD's columns are found by name, not position: the file has grown new columns every few releases, and the
district column has been called `oslaua`, `laua` and `lad25cd`. The LSOA is 2021's where the file has it,
2011's otherwise.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from onedoor.directory.models import Postcode

POSTCODE_RE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$")
EARTH_RADIUS_MILES = 3958.7613
METRES_PER_MILE = 1609.344

# ONSPD marks a postcode with no grid reference with this latitude (and longitude 0).
_NO_GRID_LATITUDE = 99.999999


class PostcodeFileError(ValueError):
    """The file is not an ONSPD CSV that OneDoor can read; the message says what is missing."""


def postcode_normalise(raw: str) -> str | None:
    """A full UK postcode in ONSPD's `pcds` form, or None when `raw` is not shaped like one."""
    match = POSTCODE_RE.match(" ".join(raw.upper().split()))
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcodes_loaded() -> bool:
    return Postcode.objects.exists()


def postcode_find(postcode: str) -> Postcode | None:
    normal = postcode_normalise(postcode)
    return Postcode.objects.filter(postcode=normal).first() if normal else None


def postcodes_coordinates(postcodes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """(latitude, longitude) of each known postcode among `postcodes`, in one query."""
    wanted = {p for p in (postcode_normalise(x) for x in postcodes if x) if p}
    if not wanted:
        return {}
    rows = Postcode.objects.filter(postcode__in=wanted).values_list("postcode", "latitude", "longitude")
    return {code: (lat, lon) for code, lat, lon in rows}


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line distance in miles between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class OnspdRow:
    postcode: str
    outward: str
    latitude: float
    longitude: float
    district_code: str
    lsoa_code: str


def _column(header: list[str], *names: str, pattern: str | None = None) -> str | None:
    present = {h.strip().lower(): h for h in header}
    for name in names:
        if name in present:
            return present[name]
    if pattern:
        for low, original in present.items():
            if re.fullmatch(pattern, low):
                return original
    return None


def onspd_rows(f: IO[str], *, outward_codes: Iterable[str]) -> Iterator[OnspdRow]:
    """The live postcodes with a grid reference in `outward_codes` (CV34, B46 …), from an ONSPD CSV."""
    reader = csv.DictReader(f)
    header = list(reader.fieldnames or [])
    columns = {
        "postcode": _column(header, "pcds"),
        "latitude": _column(header, "lat"),
        "longitude": _column(header, "long"),
        "district": _column(header, "oslaua", "laua", pattern=r"lad\d\dcd"),
        "terminated": _column(header, "doterm"),
    }
    missing = [name for name, col in columns.items() if col is None]
    if missing:
        raise PostcodeFileError(
            "This is not an ONSPD CSV: it has no column for "
            + ", ".join(missing)
            + ". Expected ONSPD's header row with pcds, doterm, lat, long and oslaua (or laua, or ladNNcd)."
        )
    cols = {name: col for name, col in columns.items() if col is not None}
    lsoa = _column(header, "lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd")
    wanted = {code.upper() for code in outward_codes}
    for line, row in enumerate(reader, start=2):
        raw = row[cols["postcode"]] or ""
        postcode = postcode_normalise(raw)
        if postcode is None:
            continue  # ONSPD has a few non-geographic and overseas codes that are not shaped like postcodes
        outward = postcode.split(" ")[0]
        if outward not in wanted or (row[cols["terminated"]] or "").strip():
            continue
        try:
            lat = float(row[cols["latitude"]])
            lon = float(row[cols["longitude"]])
        except (TypeError, ValueError) as exc:
            raise PostcodeFileError(f"Line {line}: lat and long must be numbers, for {postcode}") from exc
        if lat >= _NO_GRID_LATITUDE or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue  # no grid reference: nothing to measure from
        yield OnspdRow(
            postcode=postcode,
            outward=outward,
            latitude=lat,
            longitude=lon,
            district_code=(row[cols["district"]] or "").strip(),
            lsoa_code=(row[lsoa] or "").strip() if lsoa else "",
        )

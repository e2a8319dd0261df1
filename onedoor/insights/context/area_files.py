"""Load the context reference data the area file names (`context` key): its LSOA lookup and its Census
comparator tables, from files beside the area file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from onedoor.areas.current import district_codes
from onedoor.areas.files import read_area_file
from onedoor.insights.context.census import census_table_load, read_census
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.lookup import lsoa_lookup_load, read_lookup
from onedoor.insights.context.shapes import dissolve, district_shapes_load, read_features


def read_text(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ContextDataError(f"{path}: cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ContextDataError(f"{path}: not UTF-8 text; save it as UTF-8 CSV") from None


def load_area_context(*, actor: Any = None) -> tuple[dict[str, Any], list[str]]:
    """Load everything the area file's `context` key names. Returns (what was loaded, problems)."""
    area = read_area_file(settings.ONEDOOR_AREA)
    context = area.data.get("context", {})
    districts = frozenset(district_codes())
    loaded: dict[str, Any] = {}
    problems: list[str] = []
    if lookup_spec := context.get("lsoa_lookup"):
        lookup = read_lookup(read_text(area.path.parent / lookup_spec["file"]))
        problems.extend(f"{lookup_spec['file']}: {e}" for e in lookup.errors)
        loaded["lsoa_lookup"] = lsoa_lookup_load(lookup=lookup, area_districts=districts, actor=actor).summary()
    for spec in context.get("census", []):
        read = read_census(
            read_text(area.path.parent / spec["file"]), characteristic=spec["characteristic"], districts=districts
        )
        problems.extend(f"{spec['file']}: {e}" for e in read.errors)
        census_table_load(
            read=read,
            characteristic=spec["characteristic"],
            table=spec["table"],
            year=spec["year"],
            title=spec["title"],
            source=spec["source"],
            actor=actor,
        )
        loaded[f"census {spec['table']} ({spec['year']})"] = len(read.counts)
    if shapes := context.get("boundaries"):
        path = area.path.parent / shapes["file"]
        features = read_features("\n".join(read_text(path)), name=shapes["file"])
        loaded["boundaries"] = district_shapes_load(outlines=dissolve(features), source=shapes["source"], actor=actor)
    return loaded, problems

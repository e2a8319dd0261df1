"""District outlines for the map, made once when boundaries are loaded: the LSOA (2021) polygons of each
district are dissolved into one outline and simplified, so that a page draws five small paths, not hundreds
of LSOAs. The map itself is SVG drawn on the server (`onedoor.insights.context.svgmap`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.models import DistrictShape

# About 150 metres in degrees of latitude: fine enough to recognise a district, small enough to send.
SIMPLIFY_DEGREES = 0.0015
_DISTRICT_KEYS = ("LADCD_ACTIVE", "LAD22CD", "LAD21CD", "LAD19CD", "LADCD", "district_code")


@dataclass(frozen=True)
class Outline:
    district_code: str
    polygons: list[list[list[list[float]]]]  # polygons -> rings (outer first) -> [lon, lat]
    label: list[float]  # [lon, lat] of a point inside the outline, for its label


def _district_of(feature: dict[str, Any], fallback: str) -> str:
    props = feature.get("properties") or {}
    for k in _DISTRICT_KEYS:
        if props.get(k):
            return str(props[k])
    if fallback:
        return fallback
    raise ContextDataError(
        f"A feature has no district code property (one of {', '.join(_DISTRICT_KEYS)}); name the file after the "
        "district, such as E06000001.geojson."
    )


def read_features(text: str, *, name: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContextDataError(f"{name}: not valid GeoJSON (line {exc.lineno}: {exc.msg})") from None
    if data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise ContextDataError(f"{name}: a GeoJSON FeatureCollection is needed, with LSOA or district features")
    features: list[dict[str, Any]] = data["features"]
    return features


def dissolve(features: Iterable[dict[str, Any]], *, fallback_district: str = "") -> list[Outline]:
    """One simplified outline per district from its features' polygons (longitude, latitude)."""
    by_district: dict[str, list[Any]] = {}
    for i, feature in enumerate(features):
        try:
            geom = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ContextDataError(f"feature {i + 1}: its geometry cannot be read ({exc})") from None
        if not isinstance(geom, Polygon | MultiPolygon):
            raise ContextDataError(f"feature {i + 1}: a {geom.geom_type}, where a polygon is needed")
        by_district.setdefault(_district_of(feature, fallback_district), []).append(geom.buffer(0))
    outlines = []
    for code, geoms in sorted(by_district.items()):
        merged = shapely.union_all(geoms).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        parts = list(merged.geoms) if isinstance(merged, MultiPolygon) else [merged]
        polygons = []
        for part in parts:
            if not isinstance(part, Polygon) or part.area < SIMPLIFY_DEGREES**2:
                continue
            rings = [part.exterior, *part.interiors]
            polygons.append([[[round(x, 5), round(y, 5)] for x, y in ring.coords] for ring in rings])
        point = merged.representative_point()
        outlines.append(Outline(district_code=code, polygons=polygons, label=[round(point.x, 5), round(point.y, 5)]))
    return outlines


def outlines_geojson(outlines: Iterable[Outline]) -> str:
    """The outlines as a small GeoJSON file, to bundle with an area."""
    features = [
        {
            "type": "Feature",
            "properties": {"district_code": o.district_code, "label": o.label},
            "geometry": mapping(MultiPolygon([Polygon(p[0], p[1:]) for p in o.polygons])),
        }
        for o in outlines
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


@transaction.atomic
def district_shapes_load(*, outlines: list[Outline], source: str, actor: Any) -> int:
    now = timezone.now()
    for o in outlines:
        DistrictShape.objects.update_or_create(
            district_code=o.district_code,
            defaults={"rings": {"polygons": o.polygons, "label": o.label}, "source": source[:200], "loaded_at": now},
        )
    audit_record(
        actor=actor,
        action=AuditAction.CONTEXT_BOUNDARIES_LOADED,
        detail={"districts": sorted(o.district_code for o in outlines), "source": source[:200]},
    )
    return len(outlines)

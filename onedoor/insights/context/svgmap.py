"""The district map: SVG drawn on the server, no JavaScript. Each district is labelled with its name and its
figure in words on the map itself, and the same figures are in the table beside it, so that no meaning is
carried by colour alone. Shading is light to dark in one hue, with a key."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from onedoor.insights.context.models import DistrictShape
from onedoor.insights.tables import Figure

WIDTH = 640
PADDING = 16
# Five steps of one blue, lightest for the lowest values; hatching for a withheld figure.
SHADES = ("#d2e2f1", "#a6c5e3", "#6f9fcf", "#3d74b3", "#1d4f91")
WITHHELD_FILL = "url(#od-map-withheld)"


def _project(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    return lon * math.cos(math.radians(lat0)), -lat


def district_map(
    *, figures: Mapping[str, Figure], names: Mapping[str, str], title: str, description: str, key_id: str = "od-map"
) -> SafeString:
    shapes = list(DistrictShape.objects.filter(district_code__in=list(names)).order_by("district_code"))
    if not shapes:
        return format_html(
            '<p class="govuk-body">{}</p>', "No district boundaries are loaded, so the map cannot be drawn."
        )
    points = [pt for s in shapes for poly in s.rings["polygons"] for ring in poly for pt in ring]
    lat0 = sum(p[1] for p in points) / len(points)
    xs, ys = zip(*(_project(p[0], p[1], lat0) for p in points), strict=True)
    scale = (WIDTH - 2 * PADDING) / (max(xs) - min(xs))
    height = round((max(ys) - min(ys)) * scale + 2 * PADDING)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        x, y = _project(lon, lat, lat0)
        return round((x - min(xs)) * scale + PADDING, 1), round((y - min(ys)) * scale + PADDING, 1)

    values = [f.value for f in figures.values() if f.value is not None and not f.suppressed]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)

    def fill(f: Figure | None) -> str:
        if f is None or f.suppressed:
            return WITHHELD_FILL
        if f.value is None:
            return "#ffffff"
        step = 0 if high == low else min(len(SHADES) - 1, int((f.value - low) / (high - low) * len(SHADES)))
        return SHADES[step]

    paths = []
    labels = []
    for s in shapes:
        d = " ".join(
            "M" + " L".join(f"{x},{y}" for x, y in (xy(lon, lat) for lon, lat in ring)) + " Z"
            for poly in s.rings["polygons"]
            for ring in poly
        )
        figure = figures.get(s.district_code)
        name = names[s.district_code]
        text = figure.text if figure else "[x]"
        paths.append((d, fill(figure), f"{name}: {text}"))
        lx, ly = xy(*s.rings["label"])
        labels.append((lx, ly, name, lx, ly + 14, text))
    body = format_html_join(
        "",
        '<path d="{}" fill="{}" fill-rule="evenodd" stroke="#0b0c0c" stroke-width="1"><title>{}</title></path>',
        paths,
    )
    text = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="od-map-name">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="od-map-value">{}</text>',
        labels,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-title {id}-desc" class="od-map" focusable="false">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        '<defs><pattern id="od-map-withheld" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#505a5f" stroke-width="2"/></pattern></defs>'
        "{body}{text}</svg>",
        w=WIDTH,
        h=height,
        id=key_id,
        title=title,
        desc=description,
        body=body,
        text=text,
    )


def describe(figures: Mapping[str, Figure], names: Mapping[str, str], *, what: str) -> str:
    """The map's text description: every district's figure in words, highest first."""
    known = sorted(
        ((names[c], f) for c, f in figures.items() if c in names and f.value is not None and not f.suppressed),
        key=lambda pair: -(pair[1].value or 0),
    )
    withheld = [names[c] for c, f in figures.items() if c in names and f.suppressed]
    parts: Sequence[str] = [f"{name} {f.text}" for name, f in known]
    text = f"{what} by district: " + "; ".join(parts) + "." if parts else f"No {what.lower()} figures to show."
    if withheld:
        text += f" Withheld to protect confidentiality: {', '.join(withheld)}."
    return text

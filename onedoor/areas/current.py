"""The loaded area (settings.ONEDOOR_AREA: a bundled name or a path), as the rest of OneDoor reads it.

Templates get it from the `area` context processor; views, forms and services call these functions.
Each reads the validated area file (cached until the file changes), never the database, so that the
error pages and the start-up check can use them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from onedoor.areas.files import read_area


def area_data() -> dict[str, Any]:
    return read_area(settings.ONEDOOR_AREA)


def area_name() -> str:
    return str(area_data()["name"])


def force_codes() -> frozenset[str]:
    return frozenset(area_data()["force_codes"])


def offer_service_slug() -> str:
    """The service whose name and number the police support offer gives."""
    return str(area_data()["police_offer"]["service"])


def district_codes() -> list[str]:
    return [d["gss_code"] for d in area_data()["districts"]]


@dataclass(frozen=True)
class OutOfArea:
    place: str
    force: str


def out_of_area(postcode_district: str) -> OutOfArea | None:
    """Whether a postcode district (CV1, EC2V) belongs to a neighbouring force, by the area file's rule."""
    for rule in area_data()["out_of_area"]:
        if postcode_district.upper() in rule.get("postcode_districts", []):
            return OutOfArea(place=rule["place"], force=rule["force"])
    return None


def public_context() -> dict[str, Any]:
    """What the public and staff pages say about the area: its name, data controller and support line."""
    data = area_data()
    line = data["support_line"]
    return {
        "name": data["name"],
        "controller": data["commissioner"],
        "support_line": {**line, "tel": "".join(line["phone"].split())},
        "languages": data["languages"],
    }


def area(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `{{ area.name }}`, `{{ area.controller.name }}`, `{{ area.support_line.phone }}`."""
    return {"area": public_context()}

"""The Open Referral UK / HSDS 3.0 JSON schemas the API is checked against, written down here from the
public specification (the openreferral/specification 3.0 schema files and the ORUK API profile): the
objects' required fields, field types and formats, and the paginated list shape. Only the parts OneDoor
publishes are included; additional properties are allowed, as the specification allows."""

from __future__ import annotations

from typing import Any

UUID = {"type": "string", "format": "uuid"}
STRING = {"type": "string"}
NUMBER = {"type": "number"}


def obj(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


TAXONOMY = obj(
    ["id", "name", "description"],
    {"id": UUID, "name": STRING, "description": STRING, "uri": {"type": "string", "format": "uri"}, "version": STRING},
)

TAXONOMY_TERM = obj(
    ["id", "name", "description"],
    {
        "id": UUID,
        "code": STRING,
        "name": STRING,
        "description": STRING,
        "parent_id": STRING,
        "taxonomy": STRING,
        "taxonomy_detail": TAXONOMY,
        "language": STRING,
        "taxonomy_id": STRING,
        "term_uri": {"type": "string", "format": "uri"},
    },
)

ATTRIBUTE = obj(
    ["id"],
    {
        "id": UUID,
        "link_id": UUID,
        "taxonomy_term_id": UUID,
        "link_type": STRING,
        "link_entity": STRING,
        "value": STRING,
        "taxonomy_term": TAXONOMY_TERM,
        "label": STRING,
    },
)

ORGANIZATION = obj(
    ["id", "name", "description"],
    {
        "id": UUID,
        "name": STRING,
        "alternate_name": STRING,
        "description": STRING,
        "email": {"type": "string", "format": "email"},
        "website": {"type": "string", "format": "uri"},
    },
)

PHONE = obj(
    ["id", "number"],
    {
        "id": UUID,
        "number": STRING,
        "extension": NUMBER,
        "type": STRING,
        "description": STRING,
        "languages": {"type": "array"},
    },
)

SCHEDULE = obj(
    ["id"],
    {
        "id": UUID,
        "service_id": STRING,
        "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"},
        "dtstart": {"type": "string", "format": "date"},
        "timezone": NUMBER,
        "until": {"type": "string", "format": "date"},
        "count": {"type": "integer"},
        "wkst": {"type": "string", "enum": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]},
        "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
        "interval": NUMBER,
        "byday": STRING,
        "byweekno": STRING,
        "bymonthday": STRING,
        "byyearday": STRING,
        "description": STRING,
        "opens_at": {"type": "string", "format": "time"},
        "closes_at": {"type": "string", "format": "time"},
        "schedule_link": STRING,
        "attending_type": STRING,
        "notes": STRING,
    },
)

SERVICE_AREA = obj(
    ["id"],
    {
        "id": UUID,
        "service_id": STRING,
        "name": STRING,
        "description": STRING,
        "extent": STRING,
        "extent_type": {"type": "string", "enum": ["geojson", "topojson", "kml", "text", "other", ""]},
        "uri": STRING,
    },
)

LANGUAGE = obj(["id"], {"id": UUID, "service_id": STRING, "name": STRING, "code": STRING, "note": STRING})

ADDRESS = obj(
    ["id", "address_1", "city", "state_province", "postal_code", "country", "address_type"],
    {
        "id": UUID,
        "location_id": STRING,
        "address_1": STRING,
        "address_2": STRING,
        "city": STRING,
        "region": STRING,
        "state_province": STRING,
        "postal_code": STRING,
        "country": {"type": "string", "minLength": 2, "maxLength": 2},
        "address_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
    },
)

ACCESSIBILITY = obj(["id"], {"id": UUID, "location_id": STRING, "description": STRING, "details": STRING})

LOCATION = obj(
    ["id", "location_type"],
    {
        "id": UUID,
        "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
        "name": STRING,
        "description": STRING,
        "transportation": STRING,
        "latitude": NUMBER,
        "longitude": NUMBER,
        "addresses": {"type": "array", "items": ADDRESS},
        "accessibility": {"type": "array", "items": ACCESSIBILITY},
    },
)

SERVICE_AT_LOCATION = obj(
    ["id"], {"id": UUID, "service_id": STRING, "location_id": STRING, "description": STRING, "location": LOCATION}
)

_SERVICE_FIELDS: dict[str, Any] = {
    "id": UUID,
    "organization_id": STRING,
    "program_id": STRING,
    "name": STRING,
    "alternate_name": STRING,
    "description": STRING,
    "url": {"type": "string", "format": "uri"},
    "email": {"type": "string", "format": "email"},
    "status": {"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
    "interpretation_services": STRING,
    "application_process": STRING,
    "fees_description": STRING,
    "accreditations": STRING,
    "eligibility_description": STRING,
    "minimum_age": NUMBER,
    "maximum_age": NUMBER,
    "assured_date": {"type": "string", "format": "date"},
    "assurer_email": {"type": "string", "format": "email"},
    "alert": STRING,
}

SERVICE_BASIC = obj(["id", "name", "status"], _SERVICE_FIELDS)

SERVICE = obj(
    ["id", "name", "status"],
    {
        **_SERVICE_FIELDS,
        "organization": ORGANIZATION,
        "phones": {"type": "array", "items": PHONE},
        "schedules": {"type": "array", "items": SCHEDULE},
        "service_areas": {"type": "array", "items": SERVICE_AREA},
        "service_at_locations": {"type": "array", "items": SERVICE_AT_LOCATION},
        "languages": {"type": "array", "items": LANGUAGE},
        "attributes": {"type": "array", "items": ATTRIBUTE},
        "contacts": {"type": "array"},
    },
)


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    """The ORUK API's paginated response."""
    return obj(
        ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"],
        {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 0},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": item},
        },
    )

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker
from pytest_django import DjangoAssertNumQueries

from onedoor.directory.models import Service, Taxonomy, TaxonomyTerm
from tests.directory import oruk_schema

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oruk"


FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMATS.checks("time")
def _is_time(value: object) -> bool:
    """RFC 3339 full-time: 09:00:00+01:00 or 09:00:00Z."""
    return not isinstance(value, str) or bool(re.fullmatch(r"\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


def validate(instance: Any, schema: dict[str, Any]) -> None:
    Draft7Validator.check_schema(schema)
    errors = sorted(Draft7Validator(schema, format_checker=FORMATS).iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_services_page_validates_against_the_schema(client: Client) -> None:
    body = client.get(f"{BASE}/services", {"per_page": 200}).json()
    validate(body, oruk_schema.page_of(oruk_schema.SERVICE))
    assert body["total_items"] == Service.objects.filter(active=True).count() >= 60
    slugs = {s["alternate_name"] for s in body["contents"]}
    assert {"Victim Support", "RoSA", "Samaritans", "Childline"} <= slugs


def test_one_service_validates_and_has_its_detail(client: Client) -> None:
    cgl = Service.objects.get(slug="cgl")
    body = client.get(f"{BASE}/services/{cgl.uuid}").json()
    validate(body, oruk_schema.SERVICE)
    assert body["phones"][0]["number"] == "01926 353 513"
    assert {a["location"]["addresses"][0]["postal_code"] for a in body["service_at_locations"]} == {
        "CV31 2BB",
        "CV11 5BX",
        "CV21 2SG",
    }
    assert body["assured_date"] == "2022-02-01"
    assert "cj-substance-use" in {a["taxonomy_term"]["code"] for a in body["attributes"]}


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x"},  # no status
        {"id": "not-a-uuid", "name": "x", "status": "active"},
        {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x", "status": "open"},
        {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x", "status": "active", "assured_date": "1/2/22"},
        {
            "id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11",
            "name": "x",
            "status": "active",
            "schedules": [{"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "opens_at": "9am"}],
        },
    ],
)
def test_a_schema_violation_is_caught(bad: dict[str, Any]) -> None:
    """The validator is not a formality."""
    with pytest.raises(AssertionError):
        validate(bad, oruk_schema.SERVICE)


def test_organizations_taxonomies_and_terms_validate(client: Client) -> None:
    validate(client.get(f"{BASE}/organizations").json(), oruk_schema.page_of(oruk_schema.ORGANIZATION))
    taxonomies = client.get(f"{BASE}/taxonomies").json()
    validate(taxonomies, oruk_schema.page_of(oruk_schema.TAXONOMY))
    assert {t["name"] for t in taxonomies["contents"]} >= {"OneDoor crime types", "Needs of victims"}
    terms = client.get(f"{BASE}/taxonomy_terms", {"per_page": 200}).json()
    validate(terms, oruk_schema.page_of(oruk_schema.TAXONOMY_TERM))
    codes = {t["code"] for t in terms["contents"]}
    assert {"rape", "child-sexual-exploitation", "mental-physical-health", "young-people"} <= codes


def test_filtering_by_taxonomy_term(client: Client) -> None:
    term = TaxonomyTerm.objects.get(taxonomy__slug="crime-types", code="child-sexual-exploitation")
    query: dict[str, str | int] = {"taxonomy_term_id": str(term.uuid), "per_page": 100}
    body = client.get(f"{BASE}/services", query).json()
    names = {s["alternate_name"] for s in body["contents"]}
    assert str(Service.objects.get(slug="barnardos").uuid) in {s["id"] for s in body["contents"]}
    assert "Samaritans" not in names
    expected = set(Service.objects.filter(taxonomy_terms=term, active=True).values_list("short_name", flat=True))
    assert names == expected and body["total_items"] == len(expected)
    for s in body["contents"]:
        assert str(term.uuid) in {a["taxonomy_term_id"] for a in s["attributes"]}


def test_search_pagination_and_modified_after(client: Client) -> None:
    query: dict[str, str | int] = {"search": "helpline", "per_page": 2, "page": 2}
    body = client.get(f"{BASE}/services", query).json()
    assert body["page_number"] == 2 and body["size"] <= 2 and not body["first_page"]
    assert all("helpline" in (s["name"] + s["description"]).lower() for s in body["contents"])
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert client.get(f"{BASE}/services", {"modified_after": future}).json()["total_items"] == 0
    Service.objects.filter(slug="rosa").update(modified_at=timezone.now() + timedelta(days=2))
    body = client.get(f"{BASE}/services", {"modified_after": future}).json()
    assert [s["alternate_name"] for s in body["contents"]] == ["RoSA"]


def test_bad_parameters_and_missing_service(client: Client) -> None:
    # Bounds and formats the schema states are checked against it (422, naming the parameter).
    response = client.get(f"{BASE}/services", {"taxonomy_term_id": "nope"})
    assert response.status_code == 422 and "taxonomy_term_id" in response.content.decode()
    assert client.get(f"{BASE}/services", {"per_page": 1000}).status_code == 422
    assert client.get(f"{BASE}/services", {"page": 0}).status_code == 422
    assert client.get(f"{BASE}/services/not-a-uuid").status_code == 422
    response = client.get(f"{BASE}/services", {"modified_after": "yesterday"})
    assert response.status_code == 400 and "ISO 8601" in response.json()["detail"]
    for edge in ("2024-13-01T00:00:00", "0001-01-01T00:00:00+01:00"):
        assert client.get(f"{BASE}/services", {"modified_after": edge}).status_code == 400, edge
    assert client.get(f"{BASE}/services/3f7b145d-84af-42d7-8fae-eaca714b02b2").status_code == 404


@pytest.mark.parametrize("endpoint", ["services", "organizations", "taxonomies", "taxonomy_terms"])
def test_a_page_past_the_last_is_empty_however_far(client: Client, endpoint: str) -> None:
    for page in (2**63 - 1, 2**64, 10**30):
        response = client.get(f"{BASE}/{endpoint}", {"page": page})
        assert response.status_code == 200, (page, response.content[:200])
        body = response.json()
        assert body["contents"] == [] and body["empty"] and body["last_page"] and body["page_number"] == page


def test_the_schema_states_the_bounds_and_the_id_formats(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/oruk/services"]["get"]["parameters"]}
    assert params["per_page"]["maximum"] == 200 and params["per_page"]["minimum"] == 1
    assert params["page"]["minimum"] == 1
    assert "uuid" in str(params["taxonomy_term_id"])
    one = schema["paths"]["/api/v1/oruk/services/{service_id}"]["get"]["parameters"][0]
    assert one["schema"]["format"] == "uuid"


def test_inactive_services_are_not_published(client: Client) -> None:
    Service.objects.filter(slug="havoca").update(status="defunct")
    body = client.get(f"{BASE}/services", {"search": "HAVOCA"}).json()
    assert body["total_items"] == 0


def test_the_feed_needs_no_sign_in_and_declares_public_access(client: Client) -> None:
    from onedoor.accounts.api_auth import PublicAccess
    from onedoor.api import api

    assert client.get(f"{BASE}/taxonomies").status_code == 200
    oruk = next(router for prefix, router in api._routers if prefix == "/oruk")
    oruk_ops = [op for view in oruk.path_operations.values() for op in view.operations]
    assert oruk_ops and all(any(isinstance(a, PublicAccess) for a in op.auth_callbacks) for op in oruk_ops)
    assert Taxonomy.objects.count() == 4


def test_list_views_use_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    """Prefetching keeps the whole directory to a handful of queries, however many services it has."""
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/services", {"per_page": 200}).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/services/").status_code == 200


def test_data_to_verify_is_kept_for_administrators_not_published(client: Client) -> None:
    rosa = Service.objects.get(slug="rosa")
    assert "[verify]" in rosa.data_notes
    body = client.get(f"{BASE}/services/{rosa.uuid}").content.decode()
    assert "[verify]" not in body

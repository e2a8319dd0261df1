from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from onedoor.directory.models import DirectoryOrganisation, Service, Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oruk"


def test_services_page_lists_the_directory(client: Client) -> None:
    body = client.get(f"{BASE}/services", {"per_page": 200}).json()
    assert body["total_items"] == Service.objects.filter(active=True).count() >= 60
    slugs = {s["alternate_name"] for s in body["contents"]}
    assert {"Victim Support", "RoSA", "Samaritans", "Childline"} <= slugs


def test_one_service_has_its_detail(client: Client) -> None:
    cgl = Service.objects.get(slug="cgl")
    body = client.get(f"{BASE}/services/{cgl.uuid}").json()
    assert body["phones"][0]["number"] == "01926 353 513"
    assert {a["location"]["addresses"][0]["postal_code"] for a in body["service_at_locations"]} == {
        "CV31 2BB",
        "CV11 5BX",
        "CV21 2SG",
    }
    assert body["assured_date"] == "2022-02-01"
    assert "cj-substance-use" in {a["taxonomy_term"]["code"] for a in body["attributes"]}


def test_organizations_taxonomies_and_terms(client: Client) -> None:
    assert (
        client.get(f"{BASE}/organizations").json()["total_items"]
        == DirectoryOrganisation.objects.filter(services__active=True).distinct().count()
    )
    taxonomies = client.get(f"{BASE}/taxonomies").json()
    assert {t["name"] for t in taxonomies["contents"]} >= {"OneDoor crime types", "Needs of victims"}
    terms = client.get(f"{BASE}/taxonomy_terms", {"per_page": 200}).json()
    codes = {t["code"] for t in terms["contents"]}
    assert {"rape", "child-sexual-exploitation", "mental-physical-health", "young-people"} <= codes


def test_filtering_by_taxonomy_term(client: Client) -> None:
    term = TaxonomyTerm.objects.get(taxonomy__slug="crime-types", code="child-sexual-exploitation")
    query: dict[str, str | int] = {"taxonomy_term_id": str(term.uuid), "per_page": 100, "full": "true"}
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
    for bad in ("yesterday", "2024-13-01T00:00:00Z", "2024-04-01", "2024-04-01T09:00:00", "0.5"):
        response = client.get(f"{BASE}/services", {"modified_after": bad})
        assert response.status_code == 422 and "RFC 3339" in response.json()["detail"], bad
    # The calendar's edge is before every record, not an error.
    edge = client.get(f"{BASE}/services", {"modified_after": "0001-01-01T00:00:00+01:00"}).json()
    assert edge["total_items"] == Service.objects.filter(active=True).count()
    missing = client.get(f"{BASE}/services/3f7b145d-84af-42d7-8fae-eaca714b02b2")
    assert missing.status_code == 404 and missing.json() == {"detail": "No such service"}


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
    schema = client.get("/api/v1/openapi.json").json()
    oruk_paths = {p: v for p, v in schema["paths"].items() if p.startswith(BASE)}
    assert len(oruk_paths) == 11 and all(v["get"]["security"] == [] for v in oruk_paths.values())
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

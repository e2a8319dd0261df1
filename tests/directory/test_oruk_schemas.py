"""Every Open Referral UK endpoint's output, list and single item, validated against the official HSDS 3.0
schemas (vendored in tests/directory/hsds/, SOURCE.md), with their `$ref`s resolved locally: 0 errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from onedoor.directory.models import DirectoryOrganisation, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from tests.directory import hsds_schemas as hsds

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oruk"


def _get(client: Client, path: str, **query: Any) -> Any:
    response = client.get(BASE + path, query)
    assert response.status_code == 200, (path, query, response.content[:300])
    return response.json()


def _valid(instance: Any, schema: dict[str, Any]) -> None:
    errors = hsds.errors_for(instance, schema)
    assert errors == [], errors[:5]


def test_the_vendored_files_are_the_published_ones() -> None:
    digests = hsds.published_digests()
    assert len(digests) == 10
    assert {name: hsds.sha256(name) for name in digests} == digests


def test_the_eleven_endpoints_of_the_openapi_file_are_served(client: Client) -> None:
    """Every path the HSDS 3.0 OpenAPI file defines is an operation here (ids spelled {id} there)."""
    ours = {p.removeprefix(BASE) for p in client.get("/api/v1/openapi.json").json()["paths"] if p.startswith(BASE)}
    ours = {"/" + "/".join("{id}" if part.startswith("{") else part for part in p.strip("/").split("/")) for p in ours}
    theirs = set(hsds.openapi()["paths"])
    assert len(theirs) == 11
    assert theirs <= {p if p != "/" else "/" for p in ours}


@pytest.fixture
def every_list(client: Client, onspd_loaded: None) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Each list endpoint, with the parameters that change its shape."""
    cases: list[tuple[str, dict[str, Any]]] = [
        ("/services", {"per_page": 200}),
        ("/services", {"per_page": 200, "full": "true"}),
        ("/services", {"per_page": 200, "minimal": "true"}),
        ("/organizations", {"per_page": 200}),
        ("/organizations", {"per_page": 200, "full": "true"}),
        ("/organizations", {"per_page": 20, "full": "true", "full_service": "true"}),
        ("/taxonomies", {}),
        ("/taxonomy_terms", {"per_page": 200}),
        ("/service_at_locations", {}),
        ("/service_at_locations", {"full": "true"}),
        ("/service_at_locations", {"postcode": "CV34 4RL", "proximity": 40000}),
    ]
    return iter([(path, query, _get(client, path, **query)) for path, query in cases])


def test_every_list_validates(every_list: Iterator[tuple[str, dict[str, Any], Any]]) -> None:
    seen = 0
    for path, _query, body in every_list:
        _valid(body, hsds.response_schema(path))
        assert body["contents"], path  # a list that validates because it is empty proves nothing
        seen += 1
    assert seen == 11


def test_full_lists_also_validate_against_the_full_objects(client: Client, onspd_loaded: None) -> None:
    for item in _get(client, "/services", per_page=200, full="true")["contents"]:
        _valid(item, hsds.schema("compiled/service.json"))
    for item in _get(client, "/organizations", per_page=200, full="true")["contents"]:
        _valid(item, hsds.schema("compiled/organization.json"))
    for item in _get(client, "/service_at_locations", full="true")["contents"]:
        _valid(item, hsds.schema("compiled/service_at_location.json"))


def test_every_single_item_validates(client: Client, onspd_loaded: None) -> None:
    _valid(_get(client, "/"), hsds.response_schema("/"))
    services = list(Service.objects.filter(active=True).values_list("uuid", flat=True))
    assert len(services) >= 60
    for sid in services:
        _valid(_get(client, f"/services/{sid}"), hsds.response_schema("/services/{id}"))
    for oid in DirectoryOrganisation.objects.filter(services__active=True).values_list("uuid", flat=True).distinct():
        for full in ("false", "true"):
            _valid(
                _get(client, f"/organizations/{oid}", full_service=full), hsds.response_schema("/organizations/{id}")
            )
    for tid in Taxonomy.objects.values_list("uuid", flat=True):
        _valid(_get(client, f"/taxonomies/{tid}"), hsds.response_schema("/taxonomies/{id}"))
    for term in TaxonomyTerm.objects.values_list("uuid", flat=True):
        _valid(_get(client, f"/taxonomy_terms/{term}"), hsds.response_schema("/taxonomy_terms/{id}"))
    sals = list(ServiceAtLocation.objects.values_list("uuid", flat=True))
    assert len(sals) == 3
    for sal in sals:  # SOURCE.md: the OpenAPI file names the wrong schema for this one
        _valid(_get(client, f"/service_at_locations/{sal}"), hsds.schema("compiled/service_at_location.json"))


def test_a_located_service_carries_its_position(client: Client, onspd_loaded: None) -> None:
    cgl = Service.objects.get(slug="cgl")
    body = _get(client, f"/services/{cgl.uuid}")
    rugby = next(a["location"] for a in body["service_at_locations"] if a["location"]["name"].endswith("Rugby"))
    assert (rugby["latitude"], rugby["longitude"]) == (52.3712, -1.265)


@pytest.mark.parametrize(
    ("schema", "bad"),
    [
        ("compiled/service.json", {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x"}),  # no status
        ("compiled/service.json", {"id": "not-a-uuid", "name": "x", "status": "active"}),
        ("compiled/service.json", {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x", "status": "open"}),
        ("compiled/organization_list.json", {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x"}),
        ("taxonomy_term.json", {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x", "description": 3}),
        (
            "taxonomy_term.json",  # through the relative $ref to taxonomy.json
            {"id": "1f0c7c52-8d0e-4f58-9a53-4a3b2f1f0d11", "name": "x", "description": "y", "taxonomy_detail": {}},
        ),
    ],
)
def test_a_schema_violation_is_caught(schema: str, bad: dict[str, Any]) -> None:
    """The official schemas are not a formality: each of these breaks one rule."""
    assert hsds.errors_for(bad, hsds.schema(schema)) != []

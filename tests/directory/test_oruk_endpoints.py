"""The HSDS 3.0 endpoints and parameters beyond /services: single items, filters, shapes, change feeds,
postcode proximity, and JSON errors for everything that is not found or not valid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from onedoor.directory.models import (
    DirectoryOrganisation,
    Location,
    Postcode,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/oruk"
UNKNOWN = "3f7b145d-84af-42d7-8fae-eaca714b02b2"


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("services", "No such service"),
        ("organizations", "No such organization"),
        ("taxonomies", "No such taxonomy"),
        ("taxonomy_terms", "No such taxonomy term"),
        ("service_at_locations", "No such service at location"),
    ],
)
def test_an_unknown_id_is_a_json_404_and_a_bad_one_a_json_422(client: Client, path: str, detail: str) -> None:
    missing = client.get(f"{BASE}/{path}/{UNKNOWN}")
    assert (missing.status_code, missing.json()) == (404, {"detail": detail})
    assert missing["Content-Type"].startswith("application/json")
    bad = client.get(f"{BASE}/{path}/42")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/json")
    [(where, problems)] = bad.json()["errors"].items()
    assert where.startswith("path.") and where.endswith("_id") and "UUID" in problems[0]


def test_an_unknown_path_under_the_api_is_json(client: Client) -> None:
    for path in ("/api/v1/oruk/nothing", "/api/v1/nowhere/at/all", "/api/v2/services"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), path
        assert "openapi.json" in response.json()["detail"]


def test_a_format_not_offered_is_refused_clearly(client: Client) -> None:
    assert client.get(f"{BASE}/services", {"format": "json"}).status_code == 200
    response = client.get(f"{BASE}/taxonomies", {"format": "ndjson"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"query.format": ["Input should be 'json'"]}


def test_one_organization_with_its_services(client: Client) -> None:
    org = Service.objects.get(slug="cgl").provider
    assert org is not None
    body = client.get(f"{BASE}/organizations/{org.uuid}").json()
    assert body["name"] == org.name
    assert [s["id"] for s in body["services"]] == [str(Service.objects.get(slug="cgl").uuid)]
    assert "phones" not in body["services"][0]
    full = client.get(f"{BASE}/organizations/{org.uuid}", {"full_service": "true"}).json()
    assert full["services"][0]["phones"][0]["number"] == "01926 353 513"


def test_lists_of_organizations_in_full(client: Client) -> None:
    plain = client.get(f"{BASE}/organizations", {"per_page": 200}).json()
    assert all("services" not in o for o in plain["contents"])
    full = client.get(f"{BASE}/organizations", {"per_page": "200", "full": "true"}).json()
    count = sum(len(o["services"]) for o in full["contents"])
    assert count == Service.objects.filter(active=True, provider__isnull=False).count()


def test_services_by_taxonomy_and_by_organization(client: Client) -> None:
    needs = Taxonomy.objects.get(slug="needs")
    body = client.get(f"{BASE}/services", {"taxonomy_id": str(needs.uuid), "per_page": "200"}).json()
    expected = Service.objects.filter(active=True, taxonomy_terms__taxonomy=needs).distinct().count()
    assert body["total_items"] == expected > 0
    cgl = Service.objects.get(slug="cgl")
    body = client.get(f"{BASE}/services", {"organization_id": str(cgl.provider.uuid)}).json()  # type: ignore[union-attr]
    assert [s["id"] for s in body["contents"]] == [str(cgl.uuid)]


def test_minimal_and_full_services(client: Client) -> None:
    minimal = client.get(f"{BASE}/services", {"minimal": "true", "per_page": "200"}).json()["contents"]
    assert set(minimal[0]) == {"id", "name", "status", "last_modified"}
    basic = client.get(f"{BASE}/services", {"per_page": 1}).json()["contents"][0]
    assert "organization" in basic and "phones" not in basic
    full = client.get(f"{BASE}/services", {"per_page": "1", "full": "true"}).json()["contents"][0]
    assert {"phones", "schedules", "attributes", "service_at_locations"} <= set(full)


def test_taxonomy_terms_top_only_and_by_parent(client: Client) -> None:
    terms = TaxonomyTerm.objects.all()
    parent = TaxonomyTerm.objects.filter(children__isnull=False).first()
    top = client.get(f"{BASE}/taxonomy_terms", {"top_only": "true", "per_page": "200"}).json()
    assert top["total_items"] == terms.filter(parent__isnull=True).count()
    if parent is not None:
        children = client.get(f"{BASE}/taxonomy_terms", {"parent_id": str(parent.uuid), "per_page": "200"}).json()
        assert {t["id"] for t in children["contents"]} == {str(c.uuid) for c in parent.children.all()}
    else:  # the seed has no hierarchy: a parent filter on a top-level term finds nothing
        some = terms.first()
        assert some is not None
        assert client.get(f"{BASE}/taxonomy_terms", {"parent_id": str(some.uuid)}).json()["total_items"] == 0
    one = terms.first()
    assert one is not None
    assert client.get(f"{BASE}/taxonomy_terms/{one.uuid}").json()["code"] == one.code
    tax = Taxonomy.objects.get(slug="needs")
    assert client.get(f"{BASE}/taxonomies/{tax.uuid}").json()["name"] == tax.name


def test_modified_after_is_a_change_feed_on_services_and_service_at_locations(client: Client) -> None:
    later = timezone.now() + timedelta(days=1)
    since = later.isoformat()
    assert client.get(f"{BASE}/services", {"modified_after": since}).json()["total_items"] == 0
    assert client.get(f"{BASE}/service_at_locations", {"modified_after": since}).json()["total_items"] == 0
    # Inclusive: a record changed exactly at the time asked for is in the feed (HSDS: "on or after").
    Service.objects.filter(slug="rosa").update(modified_at=later)
    body = client.get(f"{BASE}/services", {"modified_after": since, "minimal": "true"}).json()
    assert [s["name"] for s in body["contents"]] == [Service.objects.get(slug="rosa").name]
    # A place counts as changed when its location changed, and in another offset it is the same instant.
    Location.objects.filter(name__endswith="Rugby").update(modified_at=later + timedelta(hours=1))
    in_paris = (later + timedelta(minutes=30)).astimezone(timezone.get_fixed_timezone(60)).isoformat()
    body = client.get(f"{BASE}/service_at_locations", {"modified_after": in_paris}).json()
    assert [s["location"]["name"] for s in body["contents"]] == ["Change Grow Live, Rugby"]


def test_service_at_locations_list_and_item(client: Client, onspd_loaded: None) -> None:
    body = client.get(f"{BASE}/service_at_locations").json()
    assert body["total_items"] == ServiceAtLocation.objects.count() == 3
    assert {s["service"]["name"] for s in body["contents"]} == {Service.objects.get(slug="cgl").name}
    sal = ServiceAtLocation.objects.get(location__name__endswith="Nuneaton")
    one = client.get(f"{BASE}/service_at_locations/{sal.uuid}").json()
    assert one["location"]["addresses"][0]["postal_code"] == "CV11 5BX"
    assert (one["location"]["latitude"], one["location"]["longitude"]) == (52.523, -1.47)
    assert one["service"]["phones"]


def test_postcode_orders_by_straight_line_miles(client: Client, onspd_loaded: None) -> None:
    body = client.get(f"{BASE}/service_at_locations", {"postcode": "cv34 4rl"}).json()
    places = [(s["location"]["name"].rsplit(", ", 1)[1], s["distance_miles"]) for s in body["contents"]]
    # Warwick to Leamington's Court Street, Rugby's Albert Street, Nuneaton's Abbey Street, as the crow flies.
    assert places == [("Leamington Spa", 2.3), ("Rugby", 14.9), ("Nuneaton", 17.4)]


def test_proximity_is_in_metres_from_the_postcode(client: Client, onspd_loaded: None) -> None:
    near = client.get(f"{BASE}/service_at_locations", {"postcode": "CV34 4RL", "proximity": "10000"}).json()
    assert [s["location"]["addresses"][0]["postal_code"] for s in near["contents"]] == ["CV31 2BB"]
    for metres, count in ((30_000, 3), (25_000, 2), (5_000, 1), (3_000, 0)):
        query: dict[str, str | int] = {"postcode": "CV34 4RL", "proximity": metres}
        assert client.get(f"{BASE}/service_at_locations", query).json()["total_items"] == count, metres


def test_a_service_that_does_not_cover_the_postcode_is_left_out(client: Client, onspd_loaded: None) -> None:
    cgl = Service.objects.get(slug="cgl")
    cgl.districts.set([])
    assert client.get(f"{BASE}/service_at_locations", {"postcode": "CV37 6HB"}).json()["total_items"] == 3
    rugby = cgl.districts.model.objects.get(gss_code="E07000220")
    cgl.districts.set([rugby])
    assert client.get(f"{BASE}/service_at_locations", {"postcode": "CV37 6HB"}).json()["total_items"] == 0
    assert client.get(f"{BASE}/service_at_locations", {"postcode": "CV21 2SG"}).json()["total_items"] == 3


def test_postcode_errors_say_what_to_do(client: Client, onspd_loaded: None) -> None:
    unknown = client.get(f"{BASE}/service_at_locations", {"postcode": "CV99 9ZZ"})
    assert unknown.status_code == 404 and "CV99 9ZZ" in unknown.json()["detail"]
    alone = client.get(f"{BASE}/service_at_locations", {"proximity": 1000})
    assert alone.status_code == 400 and "add postcode" in alone.json()["detail"]
    shape = client.get(f"{BASE}/service_at_locations", {"postcode": "not a postcode"})
    assert shape.status_code == 422 and "query.postcode" in shape.json()["errors"]
    Postcode.objects.all().delete()
    refused = client.get(f"{BASE}/service_at_locations", {"postcode": "CV34 4RL"})
    assert refused.status_code == 409 and "no postcode data" in refused.json()["detail"]
    # Everything else still works without postcode data.
    assert client.get(f"{BASE}/service_at_locations").json()["total_items"] == 3


def test_lists_keep_to_a_fixed_number_of_queries(
    client: Client, onspd_loaded: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(13):
        assert client.get(f"{BASE}/services", {"per_page": "200", "full": "true"}).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(f"{BASE}/services", {"per_page": 200}).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"{BASE}/service_at_locations", {"full": "true", "postcode": "CV34 4RL"}).status_code == 200
    assert DirectoryOrganisation.objects.filter(services__active=True).distinct().count() > 20
    with django_assert_max_num_queries(13):  # however many organisations the page holds
        assert client.get(f"{BASE}/organizations", {"per_page": "200", "full": "true"}).status_code == 200

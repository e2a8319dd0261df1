from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from onedoor.police.models import PoliceBatch, PoliceVictimRecord
from tests.police.helpers import csv_bytes, row

pytestmark = pytest.mark.django_db


def _file(*rows: dict[str, str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("overnight.csv", csv_bytes(list(rows)), content_type="text/csv")


def test_police_data_officer_uploads_a_file(
    make_user: Callable[..., User],
    signed_in_client: Callable[[User], Client],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    officer = make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")
    client = signed_in_client(officer)
    assert client.get(reverse("police:transfers")).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("police:transfers"),
            {"file": _file(row(recorded_at="2026-01-10T14:00:00"), row(victim_reference="V2", first_name="=cmd"))},
        )
    # Stored and answered at once: nothing is imported until a worker runs the chunk tasks.
    batch = PoliceBatch.objects.get()
    assert isinstance(response, HttpResponseRedirect)
    assert response.status_code == 302 and response.url == reverse("police:batch", args=[batch.pk])
    assert batch.created_by == officer and batch.channel == "web"
    assert (batch.status, batch.phase, batch.rows_expected, batch.rows) == ("running", "load", 2, 0)
    assert not PoliceVictimRecord.objects.exists() and len(queued) == 1
    page = client.get(reverse("police:batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "0 of 2 rows read" in page and "Refresh now" in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.errors) == ("completed", 1, 1)
    page = client.get(reverse("police:batch", args=[batch.pk])).content.decode()
    assert "first_name" in page and 'http-equiv="refresh"' not in page
    errors = client.get(reverse("police:batch_errors", args=[batch.pk]))
    assert isinstance(errors, StreamingHttpResponse)
    text = b"".join(errors.streaming_content).decode()
    assert "first_name" in text and "=cmd" not in text  # the line and the column, never a victim's value


@pytest.mark.parametrize("role", [Role.REFERRER, Role.PROVIDER_TRIAGE, Role.COMMISSIONER_ANALYST])
def test_other_roles_cannot_see_the_ledger(
    role: str, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    org = "victim-support" if role == Role.PROVIDER_TRIAGE else None
    uploader = make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")
    signed_in_client(uploader).post(reverse("police:transfers"), {"file": _file(row())})
    batch = PoliceBatch.objects.get()
    client = signed_in_client(make_user(role, org=org))
    assert client.get(reverse("police:transfers")).status_code == 404
    assert client.get(reverse("police:batch", args=[batch.pk])).status_code == 404
    assert client.get(reverse("police:batch_errors", args=[batch.pk])).status_code == 404


def test_api_upload(
    make_user: Callable[..., User], client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    officer = make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")
    token = api_token_create(user=officer)
    url = reverse("api:police_transfer_create")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, {"file": _file(row())}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "running" and body["rows_expected"] == 1 and body["created"] == 0
    assert body["encoding"] == "utf-8"
    status_url = body["status_url"]
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    done = client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert done["status"] == "completed" and done["created"] == 1 and done["processed"] == 1
    assert PoliceVictimRecord.objects.count() == 1
    # Again: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"file": _file(row())}, HTTP_AUTHORIZATION=f"Bearer {token}").json()
    again = client.get(again["status_url"], HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    # Another role's token cannot read a batch.
    other = api_token_create(user=make_user(Role.REFERRER))
    assert client.get(status_url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 401


def test_api_refuses_other_roles(make_user: Callable[..., User], client: Client) -> None:
    token = api_token_create(user=make_user(Role.REFERRER))
    response = client.post(
        reverse("api:police_transfer_create"), {"file": _file(row())}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 401
    assert not PoliceBatch.objects.exists()


def test_api_rejects_an_unreadable_file(make_user: Callable[..., User], client: Client) -> None:
    token = api_token_create(user=make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police"))
    bad = SimpleUploadedFile("x.csv", b"force_code,crime_reference\r\nE23000017,1\r\n", content_type="text/csv")
    response = client.post(reverse("api:police_transfer_create"), {"file": bad}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422
    assert "victim_reference" in response.json()["detail"]
    assert PoliceBatch.objects.get().status == "rejected"

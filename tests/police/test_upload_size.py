"""The police upload page and API refuse a file over ONEDOOR_POLICE_UPLOAD_MAX_MB, saying what to do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from onedoor.police.models import PoliceBatch
from tests.police.helpers import csv_bytes, row

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def _file_of(size: int) -> SimpleUploadedFile:
    data = csv_bytes([row()])
    data += b"\r\n" * ((size - len(data)) // 2)  # blank lines: a valid file of the size wanted
    return SimpleUploadedFile("overnight.csv", data, content_type="text/csv")


@override_settings(ONEDOOR_POLICE_UPLOAD_MAX_MB=1)
def test_the_upload_page_refuses_a_file_over_the_limit(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    client = signed_in_client(make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police"))
    response = client.post(reverse("police:transfers"), {"file": _file_of(MB + 4096)})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="file-error"' in page
    assert "the largest this service accepts is 1 MB" in page and "Split it into smaller files" in page
    assert not PoliceBatch.objects.exists()
    # At the limit it is taken.
    response = client.post(reverse("police:transfers"), {"file": _file_of(MB)})
    assert response.status_code == 302 and PoliceBatch.objects.count() == 1


@override_settings(ONEDOOR_POLICE_UPLOAD_MAX_MB=1)
def test_the_api_refuses_a_file_over_the_limit(make_user: Callable[..., User], client: Client) -> None:
    token = api_token_create(user=make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police"))
    url = reverse("api:police_transfer_create")
    response = client.post(url, {"file": _file_of(MB + 4096)}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 413
    body = response.json()
    assert body["max_mb"] == 1 and "the largest this service accepts is 1 MB" in body["detail"]
    assert not PoliceBatch.objects.exists()
    response = client.post(url, {"file": _file_of(MB)}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 202, response.content
    assert PoliceBatch.objects.count() == 1

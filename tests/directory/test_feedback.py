from __future__ import annotations

import pytest
from django.test import Client

from onedoor.core.models import AuditEvent
from onedoor.directory.models import Feedback, Service
from onedoor.directory.services import feedback_link_issue

pytestmark = pytest.mark.django_db


def test_anonymous_feedback_keeps_no_contact_details_unless_asked(client: Client) -> None:
    response = client.post(
        "/feedback/",
        {"satisfaction": "2", "could_be_better": "Faster reply", "contact_name": "Jo", "contact_detail": "jo@x.org"},
    )
    assert response.status_code == 200
    fb = Feedback.objects.get()
    assert fb.satisfaction == 2 and fb.could_be_better == "Faster reply"
    assert fb.contact_name == "" and fb.contact_detail == "" and not fb.wants_contact
    audit = AuditEvent.objects.get(action="feedback.received")
    assert audit.object_id == ""  # the audit log does not point at the feedback


def test_feedback_with_contact_when_chosen(client: Client) -> None:
    client.post(
        "/feedback/", {"satisfaction": "5", "wants_contact": "on", "contact_name": "Jo", "contact_detail": "0770"}
    )
    fb = Feedback.objects.get()
    assert fb.wants_contact and fb.contact_detail == "0770"


def test_single_use_link(client: Client) -> None:
    link = feedback_link_issue(service=Service.objects.get(slug="rosa"))
    url = f"/feedback/{link.token}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"satisfaction": "4"}).status_code == 200
    fb = Feedback.objects.get()
    assert fb.service is not None
    assert fb.via_link and fb.service.slug == "rosa"
    assert client.get(url).status_code == 410
    assert client.post(url, {"satisfaction": "1"}).status_code == 410
    assert Feedback.objects.count() == 1
    assert client.get("/feedback/not-a-token/").status_code == 410


def test_satisfaction_is_required(client: Client) -> None:
    response = client.post("/feedback/", {"could_be_better": "x"})
    assert "Choose how satisfied you are" in response.content.decode()
    assert not Feedback.objects.exists()

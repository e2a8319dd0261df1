from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from onedoor.accounts.models import Role, User
from onedoor.messaging.models import MessageTemplate

pytestmark = pytest.mark.django_db


def test_support_offer_in_english_and_at_least_three_local_languages() -> None:
    languages = set(MessageTemplate.objects.filter(key="support-offer").values_list("language", flat=True))
    assert "en" in languages
    assert len(languages & {"pl", "pa", "gu", "ur", "ro", "pt"}) >= 3
    for t in MessageTemplate.objects.filter(key="support-offer"):
        # Translations are marked for native-speaker review; English is not.
        assert t.needs_native_review == (t.language != "en")
        # Every wording says how to reach support and carries the same placeholders.
        assert "((service_phone))" in t.body and "((website))" in t.body and "((service_name))" in t.body
        if t.channel == "sms":
            assert len(t.body) < 400


def test_template_admin_shows_and_filters_review_status(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = signed_in_client(admin)
    url = reverse("admin:messaging_messagetemplate_changelist")
    response = client.get(url, {"needs_native_review__exact": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Needs native review" in page
    assert "Polski (Polish)" in page and ">English<" not in page

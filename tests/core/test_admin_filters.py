"""The admin's audit log and message lists filter by values the code knows, so that no page of either reads
the whole table to find its filter's choices."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from onedoor.accounts.models import Role, User
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import origin


@pytest.fixture
def admin_client(make_user: Callable[..., User], signed_in_client: Callable[[User], Client]) -> Client:
    admin_user = make_user(Role.ADMINISTRATOR, "opcc")
    User.objects.filter(pk=admin_user.pk).update(is_superuser=True)
    admin_user.refresh_from_db()
    return signed_in_client(admin_user)


@pytest.mark.django_db
def test_the_audit_log_filters_by_every_action_and_channel_without_a_distinct(admin_client: Client) -> None:
    with origin("cli", "test"):
        audit_record(action=AuditAction.USER_CREATED, actor=None, obj=None)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/admin/core/auditevent/")
    assert page.status_code == 200
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    html = page.content.decode()
    # Every action in the registry is offered, whether or not one has happened yet.
    assert f"?action={AuditAction.TWO_FACTOR_FAILED.value}" in html
    assert "?channel=task" in html
    filtered = admin_client.get("/admin/core/auditevent/", {"action": AuditAction.USER_CREATED.value, "channel": "cli"})
    assert filtered.status_code == 200
    assert list(filtered.context["cl"].result_list.values_list("action", flat=True)) == ["user.created"]
    assert (
        not admin_client.get("/admin/core/auditevent/", {"channel": "web"})
        .context["cl"]
        .result_list.filter(action="user.created")
    )


@pytest.mark.django_db
def test_the_message_list_filters_by_the_template_keys_without_a_distinct(admin_client: Client) -> None:
    from onedoor.messaging.models import MessageTemplate

    key = MessageTemplate.objects.values_list("key", flat=True).first()
    assert key, "the area loads its message templates"
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/admin/messaging/message/")
    assert page.status_code == 200
    distinct = [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    assert all("messaging_messagetemplate" in sql for sql in distinct), distinct
    assert f"?kind={key}" in page.content.decode()


def test_work_comes_from_a_known_channel_only() -> None:
    with pytest.raises(ValueError, match="one of web, api, cli, task, system"), origin("command"):
        pass

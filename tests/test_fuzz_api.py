"""Schemathesis over the OpenAPI schema (/api/v1/openapi.json), in process through the WSGI app: no
operation answers 5xx, whatever the schema allows or does not. Authenticated operations are called
with a real bearer token of a role that may use them, so the handlers run, not only the 401.

Bounded for CI: a few dozen cases per operation; the whole file runs in well under a minute."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation

from onedoor.accounts.models import Role, User
from onedoor.accounts.services import api_token_create
from tests.referrals.factories import make_referral

MAX_EXAMPLES = 25


# Loaded once, when the tests are collected: the schema endpoint reads no database.
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _operation(result: Ok[APIOperation[Any, Any, Any, Any]] | Err[InvalidSchema]) -> APIOperation[Any, Any, Any, Any]:
    if isinstance(result, Err):
        raise result.err()  # a schema OneDoor serves that schemathesis cannot read is a failure
    return result.ok()


OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in map(_operation, SCHEMA.get_all_operations())}


@pytest.fixture(autouse=True)
def _one_connection_per_test() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as it should in production; the
    test's transaction lives on that connection, so keep it open (as Django's test client does)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(make_user: Callable[..., User]) -> dict[str, str]:
    referrer = make_user(Role.REFERRER)
    make_referral(referrer=referrer)  # so that a guessed reference meets a database with referrals in it
    police = make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police")
    return {
        "/api/v1/referrals": api_token_create(user=referrer),
        "/api/v1/police-transfers": api_token_create(user=police),
        "/api/v1/messaging": settings.ONEDOOR_NOTIFY_CALLBACK_TOKEN,
    }


# Valid input by the schema, and input that breaks it (where the operation takes any input to break).
CASES = [
    (label, mode)
    for label, op in sorted(OPERATIONS.items())
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode.is_positive or any(True for _ in op.iter_parameters()) or op.body
]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "mode"), CASES)
def test_no_operation_answers_a_server_error(label: str, mode: GenerationMode, tokens: dict[str, str]) -> None:
    operation = OPERATIONS[label]
    statuses: list[int] = []
    token = next((t for prefix, t in tokens.items() if operation.path.startswith(prefix)), None)
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def call(case: Any) -> None:
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"

    call()
    if token:  # the token admits: the handler ran, not only the authentication in front of it
        assert set(statuses) - {401, 403}, statuses


def test_the_fuzzer_reaches_every_operation() -> None:
    """The operations are read from the served schema, so a new one cannot slip past the fuzzing."""
    assert {"POST /api/v1/referrals", "GET /api/v1/oruk/services", "POST /api/v1/police-transfers"} <= set(OPERATIONS)

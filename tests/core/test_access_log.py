"""No sign-in or password-reset token reaches a log: gunicorn's access log and Django's request loggers
both write it as "[redacted]"."""

from __future__ import annotations

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from onedoor.core.access_log import REDACTED, RedactingLogger, RedactSecretPaths, redact_path


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/account/sign-in/link/abcDEF123_-xyz/", f"/account/sign-in/link/{REDACTED}/"),
        ("/account/sign-in/link/sent/", "/account/sign-in/link/sent/"),
        ("/account/sign-in/link/", "/account/sign-in/link/"),
        ("/account/password-reset/MTI/c4x1-0123abcd/", f"/account/password-reset/{REDACTED}/{REDACTED}/"),
        ("/account/password-reset/MTI/set-password/", f"/account/password-reset/{REDACTED}/{REDACTED}/"),
        ("/account/password-reset/sent/", "/account/password-reset/sent/"),
        ("/queue/victim-support/", "/queue/victim-support/"),
    ],
)
def test_secret_segments_are_redacted_and_the_page_still_named(path: str, logged: str) -> None:
    assert redact_path(path) == logged


@given(token=st.text(alphabet=st.characters(exclude_characters="/?", exclude_categories=["Cs"]), min_size=1))
def test_no_link_token_survives(token: str) -> None:
    if token != "sent":
        assert redact_path(f"/account/sign-in/link/{token}/") == f"/account/sign-in/link/{REDACTED}/"


def test_gunicorn_access_log_atoms_carry_no_token() -> None:
    cfg = SimpleNamespace(
        errorlog="-",
        loglevel="info",
        accesslog=None,
        syslog=False,
        logconfig=None,
        logconfig_dict={},
        logconfig_json=None,
        capture_output=False,
        disable_redirect_access_to_syslog=False,
        access_log_format="",
        user=0,
        group=0,
        umask=0,
    )
    logger = RedactingLogger.__new__(RedactingLogger)
    logger.cfg = cfg
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/account/sign-in/link/SECRETTOKEN123/?next=/x",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/account/sign-in/link/SECRETTOKEN123/",
        "QUERY_STRING": "next=/x",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": "https://example.org/sign-in/link/SECRETTOKEN123/",
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
    req = SimpleNamespace(headers=[])
    atoms = logger.atoms(resp, req, environ, timedelta(milliseconds=5))
    assert "SECRETTOKEN123" not in repr(atoms)  # request line, path, referer and the raw environ
    assert atoms["U"] == f"/account/sign-in/link/{REDACTED}/"
    assert atoms["r"] == f"GET /account/sign-in/link/{REDACTED}/ HTTP/1.1"


@pytest.mark.django_db
def test_django_request_log_of_a_bad_link_has_no_token(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RedactSecretPaths())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.post("/account/sign-in/link/NOTAREALTOKEN42/")
    assert response.status_code == 400
    assert "NOTAREALTOKEN42" not in caplog.text
    assert "[redacted]" in caplog.text

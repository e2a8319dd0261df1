"""Headers, production settings and input a deployment can trust (ADR 0006)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from onedoor.accounts.models import Role, User
from onedoor.core.input_guard import NUL_MESSAGE

ROOT = Path(__file__).resolve().parents[1]
REAL_KEY = "k7#Qv9!mZ2@rT4$wX8%bN6^cL1&dF3*gH5(jK0)pS-yU+eA=iO~"  # 50+ varied characters, tests only


def _csp(response: Any) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/find-support/", "/services/", "/refer-yourself/", "/account/sign-in/", "/admin/login/"]
)
def test_every_page_has_a_csp_without_unsafe_inline(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 302)
    policy = _csp(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_permissions_policy_allows_no_powerful_feature(client: Client) -> None:
    header = client.get("/").headers["Permissions-Policy"]
    features = dict(item.strip().split("=") for item in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names and dict(attrs).get("type") != "application/json":
            self._in_script = True
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"<{tag} {n}=>" for n in names if n == "style" or n.startswith("on")]
        self.found += [f"<{tag} {n}=javascript:>" for n, v in attrs if (v or "").strip().startswith("javascript:")]

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def _inline(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_finder_finds_what_the_csp_would_block() -> None:
    assert _inline('<p style="x">') == ["<p style=>"]
    assert _inline('<a onclick="x()">') == ["<a onclick=>"]
    assert _inline("<script>alert(1)</script>") == ["inline script: alert(1)"]
    assert _inline('<script src="/static/a.js"></script><p class="a">') == []


@pytest.mark.parametrize("template", sorted(p for p in (ROOT / "onedoor").rglob("templates/**/*.html")), ids=str)
def test_no_template_has_inline_script_or_style(template: Path) -> None:
    assert _inline(template.read_text()) == []


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script_or_style(
    client: Client, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    for url in ("/", "/find-support/", "/services/", "/refer-yourself/", "/feedback/", "/your-rights/"):
        assert _inline(client.get(url).content.decode()) == [], url
    staff = make_user(Role.PROVIDER_TRIAGE, org="rosa")
    client.force_login(staff)
    page = client.get("/account/two-factor/set-up/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert _inline(page.content.decode()) == []


# --- production settings: run as a deployment would, in a fresh process ---------------------------------


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ONEDOOR_", "DJANGO_"))}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "onedoor.settings"
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "ONEDOOR_ENV": "production",
    "ONEDOOR_SECRET_KEY": REAL_KEY,
    "ONEDOOR_ALLOWED_HOSTS": "onedoor.example.org",
}


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_still_warns_without_production_settings() -> None:
    """The clean result above is the production defaults' doing, not a silenced check."""
    result = _manage("check", "--deploy", ONEDOOR_SECRET_KEY=REAL_KEY)
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"ONEDOOR_SECRET_KEY": ""}, "ONEDOOR_SECRET_KEY is not set"),
        ({"ONEDOOR_SECRET_KEY": "insecure-local-only-change-me"}, "ONEDOOR_SECRET_KEY is not set"),
        ({"ONEDOOR_DEBUG": "1"}, "ONEDOOR_DEBUG is on"),
    ],
    ids=["no key", "default key", "debug"],
)
def test_production_refuses_to_start_with_the_default_key_or_debug(env: dict[str, str], says: str) -> None:
    result = _manage("check", **{**PRODUCTION, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and says in result.stderr


def test_an_unknown_environment_name_is_refused_not_treated_as_development() -> None:
    result = _manage("check", ONEDOOR_ENV="prod")
    assert result.returncode != 0 and "ONEDOOR_ENV must be" in result.stderr


def _settings_in(**env: str) -> dict[str, str]:
    code = (
        "from django.conf import settings as s; "
        "print('SETTINGS', s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None)"
    )
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    names = ("hsts", "redirect", "session_secure", "csrf_secure", "proxy")
    line = next(line for line in result.stdout.splitlines() if line.startswith("SETTINGS "))
    return dict(zip(names, line.split()[1:], strict=True))


def test_production_defaults_are_secure_and_each_is_settable() -> None:
    assert _settings_in(**PRODUCTION) == {
        "hsts": "31536000",
        "redirect": "True",
        "session_secure": "True",
        "csrf_secure": "True",
        "proxy": "False",
    }
    behind_proxy = _settings_in(
        **PRODUCTION, ONEDOOR_HSTS_SECONDS="300", ONEDOOR_SSL_REDIRECT="0", ONEDOOR_BEHIND_TLS_PROXY="1"
    )
    assert behind_proxy == {**behind_proxy, "hsts": "300", "redirect": "False", "proxy": "True"}
    assert _settings_in() == {
        "hsts": "0",
        "redirect": "False",
        "session_secure": "False",
        "csrf_secure": "False",
        "proxy": "False",
    }


# --- input that cannot be stored is refused with a 400 that says what to fix ---------------------------


PUBLIC_NUL_PROBES = [
    ("get", "/services/?q=%00", {}),
    ("get", "/services/?q=a%00b", {}),
    ("get", "/find-support/?happened=%00&age=15&district=outside", {}),
    ("get", "/find-support/?happened=burglary&age=15&district=%00", {}),
    ("get", "/your-rights/?reported=%00", {}),
    ("get", "/feedback/%00/", {}),
    ("get", "/api/v1/oruk/services?search=%00", {}),
    ("get", "/api/v1/oruk/services/%00", {}),
    ("post", "/feedback/", {"data": "satisfaction=1&could_be_better=%00"}),
    ("post", "/refer-yourself/", {"data": "first_name=A%00&age=20"}),
    ("post", "/account/sign-in/", {"data": "username=%00&password=x"}),
    ("post", "/api/v1/referrals", {"data": '{"first_name": "A\\u0000"}', "content_type": "application/json"}),
    ("post", "/api/v1/referrals", {"data": '{"first_name": "\\ud800"}', "content_type": "application/json"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "kwargs"), PUBLIC_NUL_PROBES, ids=lambda p: str(p)[:50])
def test_a_nul_anywhere_is_a_clear_400_not_a_server_error(
    client: Client, method: str, url: str, kwargs: dict[str, str]
) -> None:
    if method == "post" and "content_type" not in kwargs:
        kwargs = {**kwargs, "content_type": "application/x-www-form-urlencoded"}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_a_cookie_or_header_is_refused_before_the_session_is_looked_up(client: Client) -> None:
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get("/").status_code == 400
    client.cookies.clear()
    assert client.get("/api/v1/referrals/x", headers={"authorization": "Bearer od_\x00"}).status_code == 400


@pytest.mark.django_db
def test_the_400_page_is_a_proper_page_and_the_api_answers_json(client: Client) -> None:
    page = client.get("/services/?q=%00")
    assert page.headers["Content-Type"].startswith("text/html") and "There is a problem" in page.content.decode()
    assert "Content-Security-Policy" in page.headers
    api = client.get("/api/v1/oruk/services?search=%00")
    assert api.json() == {"detail": NUL_MESSAGE}


@pytest.mark.django_db
def test_ordinary_input_that_looks_close_is_not_refused(
    client: Client, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    assert client.get("/services/?q=%2500").status_code == 200  # the text "%00", not a NUL
    assert client.get("/services/?q=caf%C3%A9+%E2%9C%93").status_code == 200
    response = client.post(
        "/api/v1/referrals", data='{"note": "a \\\\u0000 written out"}', content_type="application/json"
    )
    assert response.status_code != 400 or NUL_MESSAGE not in response.content.decode()


@pytest.mark.django_db
def test_signed_in_pages_refuse_a_nul_too(
    client: Client, make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    signed_in_client(make_user(Role.PROVIDER_TRIAGE, org="rosa"))
    assert client.get("/cases/R%00/").status_code == 400
    assert client.get("/queue/rosa/?page=%00").status_code == 400
    signed_in_client(make_user(Role.REFERRER))
    form = "first_name=%00&consent=on"
    response = client.post("/referrals/new/", data=form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and "NUL character" in response.content.decode()

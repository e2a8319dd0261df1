"""The Content Security Policy blocks nothing OneDoor itself serves: the public pages with their
JavaScript, the admin, and the API docs (Swagger UI), in Chromium, which enforces the policy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from onedoor.accounts.models import Role, User
from tests.browser.test_casework_journey import sign_in

# `watched()` opens a page that records Content Security Policy violations; `watched(page)` watches that one.
Watch = Callable[..., tuple[Page, list[str]]]


# Playwright adds this before any page script, outside the page's policy, to hear every violation.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def _watch(page: Page) -> list[str]:
    console: list[str] = []
    page.add_init_script(LISTEN)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("() => window.__cspViolations"), *console]


@pytest.fixture
def watched(new_page: Callable[..., Page]) -> Watch:
    def make(page: Page | None = None) -> tuple[Page, list[str]]:
        page = page or new_page()
        return page, _watch(page)

    return make


def test_public_pages_run_their_javascript_under_the_policy(watched: Watch, live_server: LiveServer) -> None:
    page, console = watched()
    for path in ("/", "/find-support/", "/services/", "/refer-yourself/", "/feedback/", "/your-rights/"):
        page.goto(live_server.url + path)
        # GOV.UK Frontend ran: the classic script set the class, the module initialised the components.
        assert "govuk-frontend-supported" in page.evaluate("() => document.body.className"), path
        skip_links = page.locator("[data-module='govuk-skip-link']")
        assert skip_links.count() >= 1, path
        assert page.locator("[data-module='govuk-skip-link'][data-govuk-skip-link-init]").count() == skip_links.count()
        assert _violations(page, console) == [], path


def test_the_api_docs_render_under_the_policy(watched: Watch, live_server: LiveServer) -> None:
    page, console = watched()
    page.goto(live_server.url + "/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "OneDoor API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    assert _violations(page, console) == []


def test_the_admin_works_under_the_policy(
    new_page: Callable[..., Page], live_server: LiveServer, make_user: Callable[..., User], watched: Watch
) -> None:
    admin = make_user(Role.ADMINISTRATOR)
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    page, console = watched(sign_in(new_page, live_server, admin))
    for path in ("/admin/", "/admin/directory/service/", "/admin/directory/service/add/"):
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == 200 and page.url == live_server.url + path, path
        assert _violations(page, console) == [], path
    # The admin's own JavaScript ran (its collapsible fieldsets and select filters are script-driven).
    assert page.evaluate("() => typeof window.django !== 'undefined' && typeof django.jQuery === 'function'")


def test_the_two_factor_set_up_page_shows_its_code_under_the_policy(
    new_page: Callable[..., Page], live_server: LiveServer, make_user: Callable[..., User], watched: Watch
) -> None:
    from django.conf import settings
    from django.test import Client

    user = make_user(Role.PROVIDER_TRIAGE, org="rosa")
    client = Client()
    client.force_login(user)
    page, console = watched()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/account/two-factor/set-up/")
    box = page.locator(".onedoor-qr-code svg").bounding_box()
    assert box is not None and 0 < box["width"] <= 240
    assert _violations(page, console) == []


def test_an_inline_script_would_be_blocked(watched: Watch, live_server: LiveServer) -> None:
    """The policy is really enforced: a script written into the page does not run."""
    page, console = watched()
    page.goto(live_server.url + "/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__ran") is None
    assert any("script-src" in v for v in _violations(page, console))

"""What a person answered must not stay behind: no answer in any URL, nothing kept on the server, no-store on
every page, a strict Referrer-Policy, and "Exit this page" forgets the answers (ADR 0010)."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import Settings

from onedoor.accounts.models import User
from onedoor.core.headers import NoStoreMiddleware, is_no_store
from onedoor.public import answers
from onedoor.public.journey import SITUATIONS

pytestmark = pytest.mark.django_db
RUGBY = "E07000220"
ANSWERS = {"happened": "rape", "age": "14", "district": RUGBY, "told_police": "no", "needs": ["mental-physical-health"]}
ANSWER_WORDS = ("happened", "age=", "district", "told_police", "needs", "rape", "reported", "court")


class Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.get_forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "action", "formaction", "src"):
            if a.get(name):
                self.urls.append(str(a[name]))
        if tag == "form" and (a.get("method") or "get").lower() == "get":
            self.get_forms.append(str(a.get("action")))


def urls_in(html: str) -> Urls:
    parser = Urls()
    parser.feed(html)
    return parser


def answered(client: Client, data: dict[str, Any] | None = None) -> Any:
    return client.post("/find-support/", data or ANSWERS, follow=True)


def test_answers_go_by_post_and_come_back_after_a_redirect_to_a_plain_url(client: Client) -> None:
    response = client.post("/find-support/", ANSWERS)
    assert response.status_code == 303 and response["Location"] == "/find-support/results/"
    results = client.get(response["Location"])
    assert "Support that can help you" in results.content.decode()
    assert [u for u, _ in answered(client).redirect_chain] == ["/find-support/results/"]


def test_nothing_is_kept_on_the_server(client: Client) -> None:
    answered(client)
    assert Session.objects.count() == 0
    cookie = client.cookies[answers.PREFIX + "find"]
    assert cookie["max-age"] == answers.MAX_AGE and cookie["httponly"] and cookie["samesite"] == "Strict"


def test_a_link_with_answers_in_its_query_shows_only_the_empty_questions(client: Client) -> None:
    html = client.get("/find-support/", {"happened": "rape", "age": "14", "district": RUGBY}).content.decode()
    assert "Support that can help you" not in html
    assert 'value="rape" checked' not in html and 'value="14"' not in html
    # The old results-by-query URL shape shows nothing either.
    assert client.get("/find-support/results/?happened=rape&age=14")["Location"] == "/find-support/"


def test_no_public_page_links_or_submits_answers_in_a_url(client: Client) -> None:
    pages = [
        answered(client),
        client.get("/find-support/"),  # "Change your answers": filled in from the cookie
        client.get("/find-support/contact/"),
        client.post("/your-rights/", {"reported": "yes", "court": "convicted"}, follow=True),
    ]
    for response in pages:
        html = response.content.decode()
        found = urls_in(html)
        assert found.urls, "the checker read the page"
        for url in found.urls:
            query = urlsplit(url).query
            assert not any(word in query for word in ANSWER_WORDS), url
        # The only GET form on the public pages is the directory's name search.
        assert set(found.get_forms) <= {"/services/"}, found.get_forms


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    situation=st.sampled_from([s.key for s in SITUATIONS]),
    age=st.integers(min_value=0, max_value=120),
    district=st.sampled_from(["E07000218", "E07000219", RUGBY, "E07000221", "E07000222", "outside"]),
    told=st.sampled_from(["", "yes", "no", "not-sure"]),
    needs=st.lists(
        st.sampled_from(["mental-physical-health", "drugs-alcohol", "finance-benefits", "family-friends-children"]),
        unique=True,
    ),
)
def test_whatever_was_answered_no_link_on_the_results_carries_a_query(
    client: Client, situation: str, age: int, district: str, told: str, needs: list[str]
) -> None:
    data = {"happened": situation, "age": str(age), "district": district, "told_police": told, "needs": needs}
    response = client.post("/find-support/", data, follow=True)
    assert response.redirect_chain == [("/find-support/results/", 303)]
    for url in urls_in(response.content.decode()).urls:
        if urlsplit(url).netloc in ("", "testserver") and not url.startswith(("tel:", "sms:", "mailto:")):
            assert not urlsplit(url).query or urlsplit(url).path.endswith(("/services/",)), url


def test_exit_forgets_the_answers_and_back_finds_nothing(client: Client) -> None:
    answered(client)
    client.post("/your-rights/", {"reported": "yes", "court": "yes"})
    assert client.get("/find-support/results/").status_code == 200
    response = client.get("/exit/")
    for name in (answers.PREFIX + "find", answers.PREFIX + "rights"):
        assert response.cookies[name]["max-age"] == 0, name
    assert '"cache"' in response["Clear-Site-Data"] and '"cookies"' in response["Clear-Site-Data"]
    # What Back would fetch again: the results page now only sends the person to the questions.
    assert client.get("/find-support/results/")["Location"] == "/find-support/"
    assert "Rights that apply to you" not in client.get("/your-rights/").content.decode()


def test_tampered_or_stale_answers_are_ignored(client: Client, settings: Settings) -> None:
    client.cookies[answers.PREFIX + "find"] = '{"happened":"rape","age":14}'  # unsigned
    assert client.get("/find-support/results/")["Location"] == "/find-support/"
    answered(client, {**ANSWERS, "happened": "no-such-thing"})
    assert client.get("/find-support/results/")["Location"] == "/find-support/"


def test_bad_answers_get_a_clear_error_not_a_redirect(client: Client) -> None:
    response = client.post("/find-support/", {"happened": "", "age": "fifteen"})
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and "Enter your age as a number" in html


# -- headers ------------------------------------------------------------------------------------------------


PUBLIC_GETS = [
    "/",
    "/find-support/",
    "/find-support/results/",
    "/find-support/contact/",
    "/services/",
    "/your-rights/",
    "/refer-yourself/",
    "/refer-yourself/sent/",
    "/feedback/",
    "/privacy/",
    "/staying-safe-online/",
    "/exit/",
    "/ur/find-support/",
    "/no-such-page/",
]


def test_every_public_page_is_no_store_with_a_same_origin_referrer_policy(client: Client) -> None:
    for url in PUBLIC_GETS:
        response = client.get(url)
        assert is_no_store(response), url
        assert response["Referrer-Policy"] == "same-origin", url
    for response in (
        client.post("/find-support/", ANSWERS),
        answered(client),
        client.post("/find-support/", {"age": "x"}),
        client.post("/your-rights/", {"reported": "yes"}),
        client.post("/refer-yourself/", {"first_name": ""}),
        client.post("/feedback/", {}),
    ):
        assert is_no_store(response), response.request["PATH_INFO"]


def test_every_route_answers_no_store_whoever_asks(client: Client) -> None:
    """Walk the whole URLconf, with made-up arguments, anonymously: every answer (page, redirect to sign in,
    404) carries no-store, because the middleware covers everything but static files."""
    import re

    from django.urls import get_resolver

    from tests.test_access import _walk

    visited = 0
    for route, _view, _app in _walk(get_resolver().url_patterns):
        path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", route)
        path = re.sub(r"[\^$]|\\Z", "", path).replace("(?P", "")
        if "(" in path or "?" in path:
            continue  # a regex route (admin internals): not a page anyone links to
        response = client.get(path)
        assert is_no_store(response), (route, response.status_code)
        visited += 1
    assert visited >= 50, visited


def test_staff_pages_that_show_a_person_are_no_store(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client], referrer: User
) -> None:
    from onedoor.accounts.models import Role
    from tests.referrals.factories import make_referral

    referral = make_referral(referrer=referrer)
    assert referral.current_service is not None and referral.current_service.organisation is not None
    service = referral.current_service.slug
    org = referral.current_service.organisation.slug
    triage = signed_in_client(make_user(Role.PROVIDER_TRIAGE, org, totp=True))
    for url in (f"/queue/{service}/", f"/cases/{referral.reference}/", "/casework/"):
        response = triage.get(url)
        assert response.status_code == 200 and is_no_store(response), url
    mine = signed_in_client(referrer)
    for url in ("/referrals/mine/", f"/referrals/mine/{referral.reference}/"):
        response = mine.get(url)
        assert response.status_code == 200 and is_no_store(response), url
    assert referral.first_name in mine.get("/referrals/mine/").content.decode()


def test_static_files_keep_their_own_caching(rf: RequestFactory) -> None:
    from django.http import HttpResponse

    def static(request: Any) -> HttpResponse:
        r = HttpResponse("css")
        r["Cache-Control"] = "max-age=31536000, public, immutable"
        return r

    response = NoStoreMiddleware(static)(rf.get("/static/build/onedoor.css"))
    assert not is_no_store(response)
    page = NoStoreMiddleware(static)(rf.get("/find-support/"))
    assert is_no_store(page)

"""Property-based tests over the public forms and query parameters: whatever a person (or a script)
sends to find-support, the services list, your rights, self-referral, feedback or sign-in, the answer
is never a server error. Values mix real choices with any text at all, NUL characters included, sent
URL-encoded and as multipart.

Bounded for CI: MAX_EXAMPLES per test keeps the file to a few seconds on either database."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django import Settings

from onedoor.core.models import District, NeedCategory
from onedoor.public.journey import SITUATIONS

MAX_EXAMPLES = 30
FUZZ = hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pytestmark = pytest.mark.django_db

# Any text, with the characters that have caused trouble before made likely: NUL, other controls,
# percent signs, quotes, right-to-left marks and very long runs.
nasty = st.sampled_from(["\x00", "\x01", "%00", "%", "'", '"', "\\", "\u202e", "\ufeff", "<script>", "9" * 30])
text = st.one_of(st.text(max_size=40), st.lists(st.one_of(nasty, st.text(max_size=5)), max_size=6).map("".join))
number = st.one_of(st.integers().map(str), st.sampled_from(["", "-1", "1e9", "15.5", "0x10", "٣"]))


def choice_or_text(choices: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(choices), text) if choices else text


def _situations() -> list[str]:
    return [s.key for s in SITUATIONS]


def _districts() -> list[str]:
    return [*District.objects.values_list("gss_code", flat=True), "outside"]


def _needs() -> list[str]:
    return list(NeedCategory.objects.values_list("slug", flat=True))


def _form(draw: Any, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """Some of the fields, each present or not: a missing field is as likely as a bad one."""
    return {name: draw(strategy) for name, strategy in fields.items() if draw(st.booleans())}


@st.composite
def find_support_answers(draw: Any) -> dict[str, Any]:
    return _form(
        draw,
        {
            "happened": choice_or_text(_situations()),
            "age": number,
            "district": choice_or_text(_districts()),
            "told_police": choice_or_text(["yes", "no", "not-sure"]),
            "needs": st.lists(choice_or_text(_needs()), max_size=3),
            "change": text,
        },
    )


VALID_REFERRAL = {
    "first_name": "Sam",
    "age": "34",
    "district": "E07000220",
    "happened": "break-in",
    "phone": "07700 900123",
    "safe_ways": ["call"],
    "language": "English",
    "consent": "on",
}


@st.composite
def self_referral(draw: Any) -> dict[str, Any]:
    """A valid referral with some fields changed or left out: most fuzzed forms get past the first
    check, so the later ones (routing, saving) meet odd values too."""
    data = {k: v for k, v in VALID_REFERRAL.items() if draw(st.integers(0, 9)) > 0}
    if draw(st.booleans()):
        data.update(draw(find_support_answers()))
    data.update(
        _form(
            draw,
            {
                "first_name": text,
                "phone": st.one_of(st.sampled_from(["07700 900123", "+447700900123"]), text),
                "email": st.one_of(st.just("someone@example.org"), text),
                "safe_ways": st.lists(choice_or_text(["call", "text", "email", "voicemail"]), max_size=4),
                "best_times": text,
                "language": choice_or_text(["English", "Polish", "Other"]),
                "interpreter": st.sampled_from(["on", "", "yes"]),
                "what_happened": text,
                "consent": st.sampled_from(["on", "", "no"]),
                "website": st.sampled_from(["", "", "", "http://spam.example"]),
            },
        )
    )
    return data


@st.composite
def feedback(draw: Any) -> dict[str, Any]:
    return _form(
        draw,
        {
            "satisfaction": choice_or_text(["1", "2", "3", "4", "5"]),
            "could_be_better": text,
            "wants_contact": st.sampled_from(["on", ""]),
            "contact_name": text,
            "contact_detail": text,
        },
    )


def _assert_no_server_error(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}"


def _post(client: Client, url: str, data: dict[str, Any], multipart: bool) -> Any:
    if multipart:
        return client.post(url, data)
    return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")


@FUZZ
@given(answers=find_support_answers(), language=st.sampled_from(["", "/pl", "/ur"]), post=st.booleans())
def test_find_support_never_fails(client: Client, answers: dict[str, Any], language: str, post: bool) -> None:
    url = f"{language}/find-support/"
    response = _post(client, url, answers, multipart=False) if post else client.get(url, answers)
    _assert_no_server_error(response, f"{url} {answers}")


@hypothesis_settings(FUZZ, max_examples=12)  # each answer renders the whole directory
@given(query=text, extra=st.dictionaries(st.sampled_from(["page", "q", "sort", "district"]), text, max_size=2))
def test_the_services_list_never_fails(client: Client, query: str, extra: dict[str, str]) -> None:
    _assert_no_server_error(client.get("/services/", {"q": query, **extra}), f"/services/ q={query!r} {extra}")


@FUZZ
@given(reported=choice_or_text(["yes", "no"]), court=choice_or_text(["no", "yes", "convicted"]))
def test_your_rights_never_fails(client: Client, reported: str, court: str) -> None:
    response = client.get("/your-rights/", {"reported": reported, "court": court})
    _assert_no_server_error(response, f"rights {reported!r} {court!r}")


@FUZZ
@given(data=self_referral(), multipart=st.booleans())
@example(data=VALID_REFERRAL, multipart=True).via("the form as a person sends it")
@example(data={**VALID_REFERRAL, "first_name": "Sam\x00"}, multipart=True).via("a NUL in a multipart field")
def test_self_referral_never_fails(client: Client, settings: Settings, data: dict[str, Any], multipart: bool) -> None:
    settings.ONEDOOR_SELF_REFERRAL_RATE = "100000/h"  # the rate limit's 429 would hide the form
    response = _post(client, "/refer-yourself/", data, multipart)
    _assert_no_server_error(response, f"self-referral {data}")
    if data is VALID_REFERRAL:
        assert response.status_code == 302  # the fuzzing starts from a form that really is sent


@FUZZ
@given(data=feedback(), token=st.one_of(st.none(), text.filter(lambda t: t and "/" not in t)), multipart=st.booleans())
def test_feedback_never_fails(client: Client, data: dict[str, Any], token: str | None, multipart: bool) -> None:
    url = "/feedback/" if token is None else f"/feedback/{quote(token, safe='')}/"
    _assert_no_server_error(_post(client, url, data, multipart), f"{url} {data}")


@FUZZ
@given(username=text, password=text, nxt=st.one_of(st.none(), text), multipart=st.booleans())
def test_sign_in_never_fails(client: Client, username: str, password: str, nxt: str | None, multipart: bool) -> None:
    data = {"username": username, "password": password}
    url = "/account/sign-in/" if nxt is None else f"/account/sign-in/?{urlencode({'next': nxt})}"
    _assert_no_server_error(_post(client, url, data, multipart), f"sign-in {data} next={nxt!r}")

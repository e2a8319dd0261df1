from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from onedoor.accounts.models import User
from onedoor.directory.loader import load_directory
from onedoor.directory.models import Service

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse  # the stubs' name for a test response


pytestmark = pytest.mark.django_db

PAGES = [
    "",
    "find-support/",
    "services/",
    "your-rights/",
    "refer-yourself/",
    "feedback/",
    "privacy/",
    "staying-safe-online/",
]
# Pages that show what someone answered: the answers come by POST, never in the URL.
ANSWERED = [
    ("find-support/", {"happened": "sexual-exploitation", "age": "15", "district": "E07000220", "told_police": "no"}),
    ("your-rights/", {"reported": "yes", "court": "convicted"}),
]
LANGS = [code for code, _ in settings.LANGUAGES]
RTL = {"ur", "ar"}


def prefix(lang: str) -> str:
    return "/" if lang == settings.LANGUAGE_CODE else f"/{lang}/"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and name in {"href", "src", "action", "formaction", "data", "poster", "srcset", "content"}:
                self.urls.append(value)


def test_there_are_at_least_four_other_languages_and_one_is_right_to_left() -> None:
    assert len(LANGS) >= 5 and RTL & set(LANGS)


def responses(client: Client, lang: str) -> Iterator[tuple[str, TestResponse]]:
    for page in PAGES:
        yield prefix(lang) + page, client.get(prefix(lang) + page)
    for page, answers in ANSWERED:
        yield prefix(lang) + page, client.post(prefix(lang) + page, answers, follow=True)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_in_every_language(client: Client, lang: str) -> None:
    for url, response in responses(client, lang):
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{lang}" dir="{"rtl" if lang in RTL else "ltr"}"' in html, url
        assert 'exit/" role="button"' in html and "govuk-exit-this-page" in html, url
        assert 'href="tel:999"' in html, url
        for other in LANGS:
            if other != lang:
                assert f'hreflang="{other}"' in html, (url, other)
        assert "Professionals: sign in" in html


def test_pages_are_translated(client: Client) -> None:
    assert "Znajdź" in client.get("/pl/find-support/").content.decode()
    assert "مدد" in client.get("/ur/").content.decode()


def test_no_public_page_links_or_loads_from_another_host(client: Client) -> None:
    for lang in LANGS:
        for page, response in responses(client, lang):
            html = response.content.decode()
            parser = Links()
            parser.feed(html)
            for url in parser.urls:
                host = urlsplit(url).netloc
                assert host in ("", "testserver"), (page, url)
            # Nor any address written out in text, scripts or styles.
            found = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, flags=re.I)
            assert not found, (page, found)


def test_the_checker_would_catch_a_third_party_link() -> None:
    parser = Links()
    parser.feed('<a href="https://cdn.example.com/x.js">x</a>')
    assert urlsplit(parser.urls[0]).netloc == "cdn.example.com"


def test_public_pages_set_no_cookies_beyond_csrf_and_session(client: Client) -> None:
    for page in PAGES:
        response = client.get("/" + page)
        assert set(response.cookies) <= {"csrftoken", "sessionid"}, page
    assert not client.get("/").cookies  # the home page sets none at all


def test_quick_exit_leaves_for_a_neutral_site_and_clears_site_data(client: Client) -> None:
    response = client.get("/exit/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc not in ("", "testserver")
    assert {"cache", "cookies", "storage"} <= {d.strip(' "') for d in response["Clear-Site-Data"].split(",")}


def test_all_directory_services_are_listed_with_phone_numbers(client: Client) -> None:
    html = client.get("/services/").content.decode()
    for service in Service.objects.filter(active=True):
        assert service.name in html.replace("&#x27;", "'"), service.slug
    assert "116 123" in html and "0808 16 89 111" in html and "08000 121 700" in html


def test_rights_depend_on_the_answers(client: Client) -> None:
    plain = client.get("/your-rights/").content.decode()
    assert plain.index("Right 1") < plain.index("Rights that apply if you report")
    assert plain.index("Rights that apply if you report") < plain.index("Right 7")
    convicted = client.post("/your-rights/", {"reported": "yes", "court": "convicted"}, follow=True).content.decode()
    assert "Rights that apply if you report" not in convicted and "Right 11" in convicted
    assert "Ombudsman" in convicted and 'id="complain"' in convicted


def test_loading_the_directory_again_keeps_administrators_edits() -> None:
    from datetime import date

    Service.objects.filter(slug="samaritans").update(last_checked=date(2026, 11, 1), description="Edited")
    counts = load_directory("warwickshire")
    s = Service.objects.get(slug="samaritans")
    assert s.last_checked == date(2026, 11, 1) and s.description == "Edited"
    assert counts["detailed"] == 0
    uuid_before = s.phones.get().uuid
    load_directory("warwickshire", reset=True)
    assert Service.objects.get(slug="samaritans").phones.get().uuid == uuid_before


def test_find_support_errors_are_explained(client: Client) -> None:
    cache.clear()
    html = client.post("/find-support/", {"happened": "", "age": "abc"}).content.decode()
    assert "There is a problem" in html and "Enter your age as a number" in html


def test_translations_are_complete_and_marked_for_native_speaker_review() -> None:
    from pathlib import Path

    from onedoor.directory.models import TranslationReview

    locale = Path(settings.BASE_DIR) / "onedoor" / "locale"
    for code in LANGS:
        if code == settings.LANGUAGE_CODE:
            continue
        po = (locale / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        assert "NEEDS REVIEW BY A NATIVE SPEAKER" in po
        assert 'msgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n", code  # every message translated
        assert (locale / code / "LC_MESSAGES" / "django.mo").stat().st_mtime >= 0
        assert TranslationReview.objects.get(language=code).status == "needs_review"


def test_administrators_see_translation_review_status(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    from onedoor.accounts.models import Role
    from onedoor.directory.models import TranslationReview

    admin = make_user(Role.ADMINISTRATOR, totp=True)
    admin.is_staff = True
    admin.is_superuser = True  # the accounts app does not grant model permissions to administrators yet
    admin.save()
    html = signed_in_client(admin).get("/admin/directory/translationreview/").content.decode()
    # Urdu's row: its language links to its own record, and its status is "needs review".
    urdu = TranslationReview.objects.get(language="ur")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    row = [r for r in rows if f'href="/admin/directory/translationreview/{urdu.pk}/change/' in r]
    assert len(row) == 1
    assert re.search(r'<th class="field-language"><a href="[^"]+">ur</a></th>', row[0])
    assert '<td class="field-status">Needs review by a native speaker</td>' in row[0]


def test_staff_pages_stay_in_english_whatever_the_browser_asks(client: Client) -> None:
    html = client.get("/account/sign-in/", HTTP_ACCEPT_LANGUAGE="pl,ur;q=0.8").content.decode()
    assert '<html lang="en-gb" dir="ltr"' in html
    # Unprefixed public pages are English too: the language is chosen with the switcher, not guessed.
    response = client.get("/find-support/", HTTP_ACCEPT_LANGUAGE="ur")
    assert response.status_code == 200 and '<html lang="en-gb"' in response.content.decode()


def test_language_switcher_links_to_the_same_page(client: Client) -> None:
    html = client.get("/ur/services/?q=helpline").content.decode()
    assert 'href="/services/?q=helpline" hreflang="en-gb"' in html
    assert 'href="/pl/services/?q=helpline" hreflang="pl"' in html
    home = client.get("/").content.decode()
    assert 'href="/ur/" hreflang="ur"' in home

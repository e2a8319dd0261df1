"""Service cards in the public pages' languages: stored per service and language, loaded from the bundled
translations, marked for a native speaker's review, and English wherever a field has no current
translation."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from onedoor.accounts.models import Role, User
from onedoor.areas.files import AREAS_DIR
from onedoor.directory.loader import load_directory
from onedoor.directory.models import TRANSLATED_FIELDS, Service, ServiceTranslation
from onedoor.directory.service_translations import Memory, TranslationFileError, read_memories, translations_load
from onedoor.directory.texts import contact_note, service_text

pytestmark = pytest.mark.django_db

BUNDLED = ("ur", "pl", "pa", "ro")
URDU_EDIT = "ہر کوئی، کسی بھی وقت"
OTHERS = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _seed(area: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((AREAS_DIR / f"{area}.directory.json").read_text(encoding="utf-8"))
    return data


def _memories(area: str = "warwickshire") -> list[Memory]:
    return read_memories(_seed(area)["translations"], f"{area}.directory.json")


def _area_english(area: str) -> set[str]:
    """Every card text an area gives a service: who it is for, what happens next, the words by a phone."""
    texts: set[str] = set()
    for row in _seed(area)["services"]:
        texts.add(row.get("eligibility", ""))
        texts.update(phone[2] for phone in row.get("phones", []))
    for row in json.loads((AREAS_DIR / f"{area}.json").read_text(encoding="utf-8"))["services"]:
        texts.add(row.get("what_happens_next", ""))
    texts.add(Service.objects.get(slug="samaritans").what_happens_next)  # the loader's own wording
    texts.discard("")
    return texts


@pytest.mark.parametrize("area", ["warwickshire", "city-of-london"])
def test_every_bundled_language_translates_every_bundled_service_text(area: str) -> None:
    memories = {m.language: m for m in _memories(area)}
    assert set(memories) == set(BUNDLED) == set(OTHERS)
    wanted = _area_english(area)
    for code, memory in memories.items():
        missing = sorted(wanted - set(memory.texts))
        assert not missing, f"{area} {code} has no translation of {missing[:3]}"
        # No entry is left in English by mistake (a name in a phone line may stay as published).
        same = [k for k, v in memory.texts.items() if k == v and not re.fullmatch(r"[\w' ]+", k)]
        assert not same, f"{area} {code}: {same[:3]}"


def test_the_loader_fills_every_service_in_every_bundled_language_marked_for_review() -> None:
    services = list(Service.objects.prefetch_related("translations", "phones"))
    assert services
    for service in services:
        rows = {t.language: t for t in service.translations.all()}
        assert set(rows) == set(BUNDLED), service.slug
        for row in rows.values():
            row.service = service
            assert row.needs_native_review and not row.reviewed_by
            for field in TRANSLATED_FIELDS:
                if getattr(service, field):
                    assert row.text(field), (service.slug, row.language, field)
            for phone in service.phones.all():
                if phone.description:
                    assert row.contact_notes.get(phone.description), (service.slug, row.language, phone.number)


def test_names_stay_as_published_and_english_fills_any_field_without_a_translation() -> None:
    service = Service.objects.get(slug="victim-support")
    urdu = service.translations.get(language="ur")
    with translation.override("ur"):
        who = service_text(service, "eligibility_description")
        assert (who.lang, who.dir) == ("ur", "rtl") and who.text == urdu.eligibility_description
        assert who.text != service.eligibility_description
    with translation.override("pl"):
        assert service_text(service, "what_happens_next").lang == "pl"
        assert service_text(service, "what_happens_next").dir == "ltr"
    with translation.override("en-gb"):
        english = service_text(service, "eligibility_description")
        assert (english.text, english.lang, english.dir) == (service.eligibility_description, "en-gb", "ltr")
    # A blank field shows the English; the other field keeps its translation.
    ServiceTranslation.objects.filter(pk=urdu.pk).update(what_happens_next="")
    with translation.override("ur"):
        fallback = service_text(Service.objects.get(pk=service.pk), "what_happens_next")
        assert (fallback.text, fallback.lang, fallback.dir) == (service.what_happens_next, "en-gb", "ltr")
        assert service_text(Service.objects.get(pk=service.pk), "eligibility_description").lang == "ur"
    with pytest.raises(ValueError, match="not a translated service field"):
        service_text(service, "name")


def test_a_translation_of_english_that_has_since_changed_is_not_shown() -> None:
    service = Service.objects.get(slug="samaritans")
    service.eligibility_description = "Anyone aged 18 or over."  # an administrator rewords the English
    service.save()
    with translation.override("pl"):
        shown = service_text(Service.objects.get(pk=service.pk), "eligibility_description")
    assert (shown.text, shown.lang) == ("Anyone aged 18 or over.", "en-gb")
    # A phone described in new words falls back to English on its own; the others keep theirs.
    phone = Service.objects.get(slug="victim-support").phones.first()
    assert phone is not None
    with translation.override("ro"):
        assert contact_note(phone.service, phone.description).lang == "ro"
        assert contact_note(phone.service, "Reworded line").text == "Reworded line"


def test_reloading_keeps_an_administrators_translation_and_reset_puts_the_bundled_one_back() -> None:
    service = Service.objects.get(slug="rosa")
    row = service.translations.get(language="ro")
    row.eligibility_description = "Tradus de un administrator."
    row.needs_native_review, row.reviewed_by = False, "A. Reviewer"
    row.stamp(["eligibility_description"])
    row.save()
    assert translations_load(memories=_memories()) == 0
    row.refresh_from_db()
    assert row.eligibility_description == "Tradus de un administrator." and not row.needs_native_review
    assert translations_load(memories=_memories(), reset=True) > 0
    row.refresh_from_db()
    assert row.eligibility_description != "Tradus de un administrator." and row.needs_native_review
    # English reworded, and the memory has a translation of the new words: a load brings it in.
    memory = next(m for m in _memories() if m.language == "ro")
    service.eligibility_description = "Anyone."
    service.save()
    assert translations_load(memories=[memory]) >= 1
    row.refresh_from_db()
    assert row.eligibility_description == memory.texts["Anyone."]


def test_load_directory_reports_the_translations_it_wrote() -> None:
    ServiceTranslation.objects.all().delete()
    counts = load_directory("warwickshire")
    assert counts["translated"] == Service.objects.count() * len(BUNDLED)
    assert load_directory("warwickshire")["translated"] == 0


@pytest.mark.parametrize(
    ("translations", "error"),
    [
        (["ur"], "'translations' must map a language code to its texts"),
        ({"xx": {"texts": {}}}, "translations for 'xx': use one of"),
        ({"ur": {"texts": {"Anyone.": ""}}}, "non-empty translation"),
        ({"ur": {"texts": ["Anyone."]}}, "'texts' must map each English text"),
    ],
)
def test_bad_translations_are_refused_saying_what_to_fix_and_nothing_is_loaded(
    tmp_path: Path, translations: Any, error: str
) -> None:
    with pytest.raises(TranslationFileError, match=re.escape(error)) as exc:
        read_memories(translations, "mine.directory.json")
    assert "mine.directory.json" in str(exc.value)
    # Through the loader: the area's seed with a bad entry changes nothing.
    seed = _seed("warwickshire")
    seed["translations"] = translations
    (tmp_path / "mine.directory.json").write_text(json.dumps(seed), encoding="utf-8")
    area = json.loads((AREAS_DIR / "warwickshire.json").read_text(encoding="utf-8"))
    area["directory"]["seed"] = "mine.directory.json"
    (tmp_path / "mine.json").write_text(json.dumps(area), encoding="utf-8")
    before = list(ServiceTranslation.objects.order_by("pk").values_list("pk", "eligibility_description"))
    with pytest.raises(TranslationFileError):
        load_directory(tmp_path / "mine.json")
    assert list(ServiceTranslation.objects.order_by("pk").values_list("pk", "eligibility_description")) == before


def test_urdu_results_show_the_service_text_in_urdu_right_to_left(client: Client) -> None:
    answers = {"happened": "break-in", "age": "40", "district": "E07000222", "told_police": "yes"}
    html = client.post("/ur/find-support/", answers, follow=True).content.decode()
    card = html[html.index('data-service="victim-support"') :]
    card = card[: card.index('class="govuk-body-s"')]
    urdu = ServiceTranslation.objects.get(service__slug="victim-support", language="ur")
    assert f'<span lang="ur" dir="rtl">{urdu.eligibility_description}</span>' in card
    assert f'<span lang="ur" dir="rtl">{urdu.what_happens_next}</span>' in card
    assert 'lang="ur" dir="rtl">(' in card  # the words beside its phone numbers
    assert f'lang="en-gb" dir="ltr">{urdu.service.name}</h3>' in card  # the name stays as published


def test_the_services_page_costs_one_query_more_in_another_language_whatever_its_length(client: Client) -> None:
    counts = {}
    for lang, path in (("en", "/services/"), ("ur", "/ur/services/"), ("ur-few", "/ur/services/?q=victim")):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[lang] = len(queries)
    assert counts["ur"] == counts["ur-few"] == counts["en"] + 1


def test_the_sent_page_says_whether_a_service_with_hours_is_open(client: Client) -> None:
    session = client.session
    session["onedoor_self_referral"] = {"reference": "OD-TEST", "service": "victim-support", "due_on": "", "ways": []}
    session.save()
    html = client.get("/refer-yourself/sent/").content.decode()
    assert "Opening hours not known" not in html
    assert ("Open now" in html) or ("Closed now" in html)
    assert "Monday to Friday 9am to 5pm" in html


def test_a_service_without_schedules_shows_its_hours_text_and_only_no_hours_is_not_known(client: Client) -> None:
    service = Service.objects.get(slug="victim-support")
    service.schedules.all().delete()
    service.hours = "Weekdays, 9am to 5pm"
    service.save()
    html = client.get("/services/?q=Victim+Support").content.decode()
    card = html[html.index('data-service="victim-support"') :]
    assert "Weekdays, 9am to 5pm" in card[: card.index("Cost")]
    assert "Opening hours not known" not in card[: card.index("Cost")]
    Service.objects.filter(pk=service.pk).update(hours="")
    html = client.get("/services/?q=Victim+Support").content.decode()
    card = html[html.index('data-service="victim-support"') :]
    assert "Opening hours not known" in card[: card.index("Cost")]


def test_administrators_edit_translations_with_the_service_and_saving_records_the_english(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    admin = make_user(Role.ADMINISTRATOR, totp=True)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    service = Service.objects.get(slug="samaritans")
    client = signed_in_client(admin)
    page = client.get(f"/admin/directory/service/{service.pk}/change/").content.decode()
    assert "translations-TOTAL_FORMS" in page and "needs_native_review" in page
    row = service.translations.get(language="ur")
    row.translated_from = {}
    row.save()  # as if the English had changed since: not shown until someone saves a current translation
    assert not row.text("eligibility_description")
    form = _admin_form(page)
    index = next(
        k.split("-")[1] for k, v in form.items() if re.fullmatch(r"translations-\d+-id", k) and v == str(row.pk)
    )
    form[f"translations-{index}-eligibility_description"] = URDU_EDIT
    response = client.post(f"/admin/directory/service/{service.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert row.eligibility_description == URDU_EDIT
    assert row.translated_from["eligibility_description"] == service.eligibility_description
    assert row.text("eligibility_description")


def _admin_form(html: str) -> dict[str, str]:
    """The change form's fields with their current values, as a browser would post them."""
    form: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag or 'type="file"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        form[name.group(1)] = _unescape(value.group(1)) if value else ("on" if 'type="checkbox"' in tag else "")
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        form[name] = _unescape(body.lstrip("\n"))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        if chosen:
            form[name] = chosen[0]
    return form


def _unescape(value: str) -> str:
    import html

    return html.unescape(value)


def test_the_favicon_is_linked_from_every_page_and_served_as_a_static_file(client: Client) -> None:
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert any(i.endswith("favicon.ico") for i in icons) and any(i.endswith("favicon.svg") for i in icons)
    for name in ("onedoor/favicon.ico", "onedoor/favicon.svg", "onedoor/apple-touch-icon.png"):
        assert finders.find(name), name
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/onedoor/favicon.ico")


def test_no_model_is_called_something_ys_in_the_admin() -> None:
    from django.apps import apps

    wrong = [
        f"{m._meta.label}: {m._meta.verbose_name_plural}"
        for m in apps.get_models()
        if re.search(r"[^aeiou]ys$", str(m._meta.verbose_name_plural))
    ]
    assert wrong == []
    assert str(apps.get_model("casework", "WaitingListEntry")._meta.verbose_name_plural) == "waiting list entries"
    assert str(apps.get_model("core", "DemographicCategory")._meta.verbose_name_plural) == "demographic categories"

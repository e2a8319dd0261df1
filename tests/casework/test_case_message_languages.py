"""Messages to the person about their case are worded in their recorded preferred language, from the same
per-language templates the police support offer uses, with English where OneDoor has no wording."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onedoor.accounts.models import User
from onedoor.casework import services
from onedoor.casework.messages import ESTIMATES, _in_language, _language_code
from onedoor.messaging.models import Message, MessageTemplate
from onedoor.referrals.models import Referral

OFFER_LANGUAGES = ("pl", "pa", "gu", "ur", "ro", "pt")


@pytest.mark.django_db
def test_every_case_message_has_a_template_in_each_language_of_the_police_offer() -> None:
    offer = set(MessageTemplate.objects.filter(key="support-offer").values_list("channel", "language"))
    assert {lang for _, lang in offer} >= {"en", *OFFER_LANGUAGES}
    for key in ("waiting-list-position", "feedback-link"):
        rows = MessageTemplate.objects.filter(key=key)
        assert set(rows.values_list("channel", "language")) == offer, key
        assert not rows.filter(needs_native_review=False).exclude(language="en").exists()
        for row in rows:
            english = rows.get(channel=row.channel, language="en")
            assert _placeholders(row) == _placeholders(english), (key, row.channel, row.language)


def _placeholders(t: MessageTemplate) -> set[str]:
    return set(re.findall(r"\(\((\w+)\)\)", t.subject + t.body))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("recorded", "code"),
    [
        ("pl", "pl"),
        ("PL", "pl"),
        ("pl-PL", "pl"),
        ("Polish", "pl"),
        ("polski", "pl"),
        ("Urdu", "ur"),
        ("اردو", "ur"),
        ("Punjabi", "pa"),
        ("Panjabi", "pa"),
        ("Romanian", "ro"),
        ("Gujarati", "gu"),
        ("Portuguese", "pt"),
        ("English", "en"),
        ("", "en"),
        ("Welsh", "en"),  # a real language with no OneDoor wording yet: English
        ("Klingon", "en"),
    ],
)
def test_the_recorded_language_picks_the_template(recorded: str, code: str) -> None:
    assert _language_code(recorded) == code


@given(weeks=st.integers(min_value=1, max_value=520), language=st.sampled_from(sorted(ESTIMATES)))
def test_the_waiting_estimate_is_given_in_the_template_language(weeks: int, language: str) -> None:
    english = f"We expect to start your support in about {weeks} week{'s' if weeks > 1 else ''}."
    out = _in_language({"estimate": english, "position": "3"}, language)
    assert out["estimate"] == ESTIMATES[language][0].format(weeks=weeks)
    assert "We expect" not in out["estimate"] and str(weeks) in out["estimate"]
    assert out["position"] == "3"
    unknown = _in_language({"estimate": "We cannot yet say how long the wait will be."}, language)
    assert unknown["estimate"] == ESTIMATES[language][1]
    assert _in_language({"estimate": english}, "en")["estimate"] == english


def test_an_estimate_worded_some_other_way_is_left_as_it_is() -> None:
    assert _in_language({"estimate": "Soon."}, "pl") == {"estimate": "Soon."}


@pytest.mark.parametrize(
    ("recorded", "code", "phrase"), [("Polish", "pl", "liście oczekujących"), ("ur", "ur", "انتظار")]
)
def test_the_waiting_list_position_goes_in_the_persons_language(
    accepted_case: Callable[..., Referral], caseworker: User, recorded: str, code: str, phrase: str
) -> None:
    entry = services.waiting_list_add(referral=accepted_case(preferred_language=recorded), actor=caseworker)
    services.waiting_list_position_message_request(entry=entry, actor=caseworker)
    message = Message.objects.select_related("template").get(kind="waiting-list-position")
    assert message.language == code and message.template is not None and message.template.language == code
    _subject, body = message.template.render(message.personalisation)
    assert phrase in body
    known, unknown = ESTIMATES[code]
    estimate = message.personalisation["estimate"]
    assert estimate == unknown or re.fullmatch(re.escape(known).replace(re.escape("{weeks}"), r"\d+"), estimate)
    assert estimate in body


def test_the_feedback_link_goes_in_the_persons_language_and_english_without_one(
    accepted_case: Callable[..., Referral], caseworker: User
) -> None:
    for recorded, code in (("Romanian", "ro"), ("", "en")):
        case = accepted_case(preferred_language=recorded)
        services.contact_attempt_record(referral=case, actor=caseworker, channel="phone", outcome="reached")
        services.case_close(referral=case, actor=caseworker, reason="support_completed", better_able_to_cope="yes")
        message = Message.objects.select_related("template").filter(kind="feedback-link").latest("id")
        assert message.template is not None and message.template.language == code
        assert message.personalisation["feedback_url"] in message.template.render(message.personalisation)[1]

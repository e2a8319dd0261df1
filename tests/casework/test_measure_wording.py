"""The measures carry their published wording (data/measures.json), the form shows it, and scoring follows
the data's reverse and risk marks, with exact figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from onedoor.accounts.models import User
from onedoor.casework import measures
from onedoor.referrals.models import Referral


def test_every_measure_has_its_published_items_and_options() -> None:
    data = json.loads(measures.DATA.read_text(encoding="utf-8"))
    for code, count, options in (("phq9", 9, 4), ("gad7", 7, 4), ("core10", 10, 5)):
        spec = measures.spec(code)
        assert spec.items == count == len(data[code]["items"])
        assert spec.item_max == options - 1
        assert [q.text for q in spec.questions] == [i["text"] for i in data[code]["items"]]
        assert all(q.text and not q.text.startswith("Item") for q in spec.questions)
        assert spec.published.copyright
    assert measures.spec("phq9").questions[8].text.startswith("Thoughts that you would be better off dead")
    assert measures.spec("core10").published.options == (
        "Not at all",
        "Only occasionally",
        "Sometimes",
        "Often",
        "Most or all of the time",
    )


def test_reverse_and_risk_items_come_from_the_data() -> None:
    core = measures.spec("core10")
    assert core.reverse_numbers == (2, 3)
    assert [q.text for q in core.questions if q.reverse] == [
        "I have felt I have someone to turn to for support when needed",
        "I have felt able to cope when things go wrong",
    ]
    assert core.risk_numbers == (6,)
    assert measures.spec("phq9").risk_numbers == (9,)
    assert measures.spec("phq9").reverse_numbers == measures.spec("gad7").reverse_numbers == ()


@pytest.mark.parametrize(
    ("code", "answers", "total", "band", "risk"),
    [
        # 1 + (4-1) + (4-0) + 2 + 3 + 0 + 1 + 2 + 2 + 4
        ("core10", [1, 1, 0, 2, 3, 0, 1, 2, 2, 4], 22, "At or above the clinical cut-off", ()),
        # "Most or all of the time" on both positive items scores 0 for them: eight other items at 1
        ("core10", [1, 4, 4, 1, 1, 1, 1, 1, 1, 1], 8, "Below the clinical cut-off", (6,)),
        # "Not at all" on both positive items scores 8 on its own
        ("core10", [0] * 10, 8, "Below the clinical cut-off", ()),
        ("core10", [1, 0, 0, 0, 0, 0, 0, 0, 0, 2], 11, "At or above the clinical cut-off", ()),
        ("phq9", [3, 2, 1, 0, 3, 2, 1, 0, 1], 13, "Moderate", (9,)),
        ("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0], 24, "Severe", ()),
        ("gad7", [1, 1, 1, 1, 1, 0, 0], 5, "Mild", ()),
    ],
)
def test_exact_scores(code: str, answers: list[int], total: int, band: str, risk: tuple[int, ...]) -> None:
    result = measures.score(code, answers)
    assert (result.total, result.band, result.risk_items) == (total, band, risk)


def test_the_form_shows_the_questions_and_options_and_marks_reverse_items(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    client = signed_in_client(caseworker)
    text = client.get(reverse("casework:measure", args=[case.reference, "core10"])).content.decode()
    assert "Over the last week" in text
    assert "2. I have felt I have someone to turn to for support when needed" in text
    assert "Most or all of the time" in text
    assert text.count("Reverse-scored:") == 2
    assert "CORE System Trust" in text
    text = client.get(reverse("casework:measure", args=[case.reference, "phq9"])).content.decode()
    assert "9. Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert "More than half the days" in text and "Pfizer" in text and "Reverse-scored" not in text


def test_a_missing_answer_names_the_item(
    accepted_case: Callable[..., Referral], caseworker: User, signed_in_client: Callable[[User], Any]
) -> None:
    case = accepted_case()
    answers = {f"item_{n}": "1" for n in range(1, 8)}
    del answers["item_4"]
    response = signed_in_client(caseworker).post(
        reverse("casework:measure", args=[case.reference, "gad7"]), {"stage": "start", **answers}
    )
    assert response.status_code == 400
    assert "Choose an answer for item 4" in response.content.decode()
    assert not case.measures.exists()

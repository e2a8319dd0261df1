"""The contact normalisers' shared rules: the formula-start set, used by the parser and the errors CSV alike,
and the ISO 639-1 codes the police file may give as a preferred language (pycountry's, the same as the
hand-written table they replaced)."""

from __future__ import annotations

from datetime import date

import phonenumbers
import pytest

from onedoor.core.contact import FORMULA_START, is_drama_number, valid_phone_e164
from onedoor.police.exports import csv_safe
from onedoor.police.parser import RowError, Vocabulary, validate_row
from onedoor.police.vocabulary import LANGUAGES
from tests.police.helpers import row

# The table the parser held before pycountry, copied here as the oracle: every code it accepted.
_TABLE = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee
    el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is
    it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms
    mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk
    sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
"""
HAND_WRITTEN_ISO_639_1 = frozenset(_TABLE.split())
TODAY = date(2026, 1, 12)


def test_formula_start_is_the_complete_set() -> None:
    assert set(FORMULA_START) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_errors_csv_and_the_parser_both_guard_every_formula_start(start: str) -> None:
    assert csv_safe(start + "SUM(A1)") == "'" + start + "SUM(A1)"
    if start in "\t\r":
        return  # the parser trims whitespace from both ends of a cell before it checks a name
    vocab = Vocabulary.from_reference_data(frozenset(["E23000017"]))
    checked = validate_row(2, row(last_name=start + "cmd"), True, vocab, TODAY)
    assert isinstance(checked, list)
    assert [e.column for e in checked if isinstance(e, RowError)] == ["last_name"]
    assert "formula" in checked[0].expected


def test_a_plain_value_is_left_alone_in_the_csv() -> None:
    assert csv_safe("burglary-residential") == "burglary-residential"
    assert csv_safe(None) == ""
    assert csv_safe(12) == "12"


def test_pycountry_gives_exactly_the_codes_the_table_did() -> None:
    assert LANGUAGES == HAND_WRITTEN_ISO_639_1


@pytest.mark.parametrize(
    ("code", "accepted"),
    [
        ("pl", True),
        ("PA", True),
        (" gu ", True),
        ("bh", True),
        ("sh", False),
        ("xx", False),
        ("pol", False),
        ("en-GB", False),
    ],
)
def test_preferred_language_accepted_or_refused_as_before(code: str, accepted: bool) -> None:
    vocab = Vocabulary.from_reference_data(frozenset(["E23000017"]))
    checked = validate_row(2, row(preferred_language=code), True, vocab, TODAY)
    if accepted:
        assert not isinstance(checked, list)
        assert checked.values["preferred_language"] == code.strip().lower()
    else:
        assert isinstance(checked, list)
        assert [e.column for e in checked] == ["preferred_language"]


def test_the_strict_phone_check_takes_valid_and_drama_numbers_only() -> None:
    assert valid_phone_e164("07700 900123") == "+447700900123"  # a drama number, invalid to the library
    assert valid_phone_e164("01926 123 456") == "+441926123456"
    assert valid_phone_e164("07700 123") is None
    assert valid_phone_e164("not a number") is None
    assert is_drama_number(phonenumbers.parse("07700 900999", "GB"))
    assert not is_drama_number(phonenumbers.parse("07700 901000", "GB"))

"""The parser's fast paths give exactly the answers of the slow ones they stand in front of: phonenumbers
for UK numbers, Django's EmailValidator for plain addresses, the Unicode tables for ASCII names, and the
row check (the whole-file and any-row comparisons with the code before the fast paths were run when
they were merged; the behaviour tests in test_parser.py and test_import.py hold the rules)."""

from __future__ import annotations

import io
import sys
import unicodedata
from datetime import date

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from hypothesis import example, given, settings
from hypothesis import strategies as st

from onedoor.core.contact import _PLAIN_EMAIL, _uk_e164, normalise_email, normalise_name, normalise_phone
from onedoor.police import parser
from onedoor.police.generator import FORCE_CODE
from onedoor.police.parser import _NOT_IN_A_NAME, Vocabulary, read_rows, validate_row
from tests.police.helpers import csv_bytes, row

TODAY = date(2026, 1, 12)


def vocabulary() -> Vocabulary:
    """The reference data as the migrations load it, without a database."""
    return Vocabulary.from_reference_data(frozenset([FORCE_CODE]))


# -- phone numbers -------------------------------------------------------------------------------------


def phonenumbers_e164(value: str) -> str | None:
    """The slow path on its own: phonenumbers' answer, or None where it refuses the number."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@st.composite
def uk_like_numbers(draw: st.DrawFn) -> str:
    """Numbers in and just outside the fast path's shapes, with spaces, hyphens and brackets anywhere."""
    prefix = draw(st.sampled_from(["0", "44", "+44", "", "00", "00 44", "+", "4", "+4", "440", "+440", "(0)"]))
    lead = draw(st.sampled_from(["", "7", "1", "2", "3", "8", "9", "0", "180020", "7700900", "1632960", "20"]))
    rest = draw(st.text(alphabet="0123456789", min_size=0, max_size=13))
    digits = (lead + rest)[: draw(st.integers(min_value=1, max_value=13))]
    if draw(st.booleans()):
        digits = (lead + rest + "0" * 10)[:10]  # exactly ten digits: the shape itself, most of the time
    plain = prefix + digits
    separators = st.text(alphabet=" -()", max_size=2)
    out = draw(separators)
    for ch in plain:
        out += ch + draw(separators)
    return out


@settings(max_examples=600, deadline=None)
@given(uk_like_numbers())
@example("07700 900123")
@example("+44 7700 900123")
@example("447700900123")
@example("(01632) 960123")
@example("020 7946 0123")
@example("+44 1800 201234")
@example("01800201234")
@example("441800201234")
@example("+44 (0) 7700 900123")
@example("-07700-900123-")
@example("0" + " " * 240 + "7700900123")
def test_fast_uk_numbers_are_what_phonenumbers_says(value: str) -> None:
    fast = _uk_e164(value)
    slow = phonenumbers_e164(value)
    if fast is not None:
        assert fast == slow
    # And normalise_phone as a whole agrees with phonenumbers, fast path or not.
    try:
        got: str | None = normalise_phone(value)
    except ValueError:
        got = None
    assert got == slow


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789 +-()./x#", max_size=25))
def test_phone_like_text_gets_the_same_answer(value: str) -> None:
    try:
        got: str | None = normalise_phone(value)
    except ValueError:
        got = None
    assert got == phonenumbers_e164(value)


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("07700900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("447700900123", "+447700900123"),
        ("07700-900-123", "+447700900123"),
        ("(01632) 960123", "+441632960123"),
        ("020 7946 0123", "+442079460123"),
    ],
)
def test_the_everyday_shapes_take_the_fast_path(value: str, e164: str) -> None:
    assert _uk_e164(value) == e164 == phonenumbers_e164(value)


# -- email addresses -----------------------------------------------------------------------------------

_validator = EmailValidator()


def django_accepts(address: str) -> bool:
    try:
        _validator(address)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_every_plain_address_is_one_django_accepts(address: str) -> None:
    """The fast path takes an address that matches the pattern and is at most 320 characters long."""
    if len(address) <= 320:
        assert django_accepts(address)
    else:
        assert not django_accepts(address)  # the validator's own limit, so the fast path leaves these to it


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.emails(),
        st.from_regex(_PLAIN_EMAIL, fullmatch=True),
        st.text(alphabet="abcXYZ019.-_+'@\"[]: \u00e9\u017f\u212a", max_size=30),
        st.text(max_size=30),
    )
)
@example("alex.morgan@example.org")
@example("Alex.Morgan@Example.ORG")
@example("a@b.c")
@example("a@localhost")
@example("a@[127.0.0.1]")
@example("a@xn--bcher-kva.example")
@example("a@example.org\n")
@example("a@-example.org")
@example("a@example.123")
def test_addresses_normalise_as_the_validator_decides(address: str) -> None:
    expected = None
    if django_accepts(address):
        local, _, domain = address.rpartition("@")
        expected = f"{local}@{domain.lower()}"
    assert normalise_email(address) == expected


# -- names ---------------------------------------------------------------------------------------------


def test_the_name_pattern_is_the_punctuation_and_the_control_characters() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert bool(_NOT_IN_A_NAME.search(ch)) == (ch in '"<>{}|\\;' or unicodedata.category(ch) == "Cc"), hex(code)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text()))
@example("O'Brien-Smith")
@example("Zoë")
@example("Łucja")
def test_names_normalise_as_the_unicode_rule_says(name: str) -> None:
    """The rule: decompose, keep the letters, casefold. ASCII names skip the decomposition."""
    decomposed = unicodedata.normalize("NFKD", name)
    assert normalise_name(name) == "".join(ch for ch in decomposed if ch.isalpha()).casefold()


# -- whole rows ----------------------------------------------------------------------------------------


def test_a_vocabulary_remembers_its_checks_without_mixing_rows() -> None:
    """One vocabulary across many rows (as in an import): each row still gets its own answer and its own
    list of flags."""
    vocab = vocabulary()
    data = csv_bytes([row(victim_reference=f"V{n}", flags="vulnerable;hate" if n % 2 else "") for n in range(4)])
    checked = [validate_row(line, raw, ok, vocab, TODAY) for line, raw, ok in read_rows(io.BytesIO(data), "utf-8")]
    assert all(isinstance(r, parser.ParsedRow) for r in checked)
    flags = [r.values["flags"] for r in checked if isinstance(r, parser.ParsedRow)]
    assert flags == [[], ["hate", "vulnerable"], [], ["hate", "vulnerable"]]
    assert flags[1] is not flags[3]

"""Contact details, normalised the same way everywhere: phone numbers, email addresses, names for
matching, and the characters a spreadsheet takes as the start of a formula.

The police import calls these once a row on files of millions, so the common cases have fast paths;
tests/police/test_parser_fast.py checks each fast path against the library it stands in for.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets (OWASP's
# "CSV injection" list): the parser refuses names that start with one, and the errors CSV quotes them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_NOT_ASCII_LETTERS = re.compile(r"[^A-Za-z]+")


def normalise_name(value: str) -> str:
    """A name for matching: letters only, accents removed, case folded."""
    if value.isascii():
        # ASCII is its own NFKD form, its letters are exactly A-Z and a-z, and casefold is lower there:
        # the same result without the Unicode tables, for most names.
        return (value if value.isalpha() else _NOT_ASCII_LETTERS.sub("", value)).lower()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if ch.isalpha()).casefold()


# The everyday ways of writing a UK number, once spaces, hyphens and brackets are gone: 0 and ten digits,
# or 44 or +44 and ten digits. For these phonenumbers always answers +44 and the ten digits (the national
# prefix 0 is stripped, or the country code is, as the twelve digits are too long for a GB number; ten
# digits are a possible GB length, in the GB metadata of phonenumbers 9.0.43), and it costs 25-40 µs a
# number. tests/police/test_parser_fast.py compares the two on generated numbers, so an upgrade of
# phonenumbers that changed this would fail there.
_UK_NUMBER = re.compile(r"(?:0|\+?44)([1-9][0-9]{9})")


def _uk_e164(value: str) -> str | None:
    if len(value) > 40:  # phonenumbers refuses very long input outright; leave anything long to it
        return None
    match = _UK_NUMBER.fullmatch(value.replace(" ", "").replace("-", "").replace("(", "").replace(")", ""))
    return None if match is None else "+44" + match[1]


def normalise_phone(value: str) -> str:
    """E.164 for a possible UK (or international) number; raises ValueError otherwise."""
    fast = _uk_e164(value)
    if fast is not None:
        return fast
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_drama_number(number: phonenumbers.PhoneNumber) -> bool:
    """Ofcom keeps 07700 900000 to 900999 for drama and tests (GOV.UK Notify's test numbers are there too).
    The phone number library calls them invalid; OneDoor accepts them so that demos and tests never use a
    real person's number."""
    return number.country_code == 44 and str(number.national_number).startswith("7700900")


def valid_phone_e164(value: str) -> str | None:
    """E.164 for a valid number (a UK one unless it starts with +), or a drama number; None otherwise.
    Stricter than `normalise_phone`, which takes any possible number: for numbers a person types in."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_valid_number(number) or is_drama_number(number)):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_uk_mobile(e164: str) -> bool:
    return e164.startswith("+447") and not e164.startswith("+4470") and len(e164) == 13


# A plain ASCII address that Django's EmailValidator always accepts (every part is a narrower form of
# its patterns; tests/police/test_parser_fast.py checks it). The validator, about 15 µs a call, stays the
# judge of everything else.
_ATOM = r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}")
_email = EmailValidator()


def normalise_email(address: str) -> str | None:
    """The address with its domain in lower case, or None if it is not an email address."""
    if len(address) > 320 or _PLAIN_EMAIL.fullmatch(address) is None:
        try:
            _email(address)
        except ValidationError:
            return None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"

"""The police parser's row checks as they were before the fast paths (commit 1e2c833), kept verbatim so
that tests can show the fast code gives the same answer. Not used by the application."""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import IO, Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from onedoor.police.parser import COLUMNS, REQUIRED_COLUMNS, UK, FileRejected, ParsedRow, RowError, Vocabulary

_FORCE_CODE = re.compile(r"^E23\d{6}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]{0,39}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
# ISO 639-1, every two-letter code.
_ISO_639_1 = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee
    el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is
    it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms
    mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk
    sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu
"""
_LANGUAGES = frozenset(_ISO_639_1.split())
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_email = EmailValidator()


def read_rows(f: IO[bytes], encoding: str) -> Iterator[tuple[int, dict[str, str | None], bool]]:
    """Yield (line the row starts on, {column: raw value}, number of fields). Header names are matched
    without regard to case, spaces or a byte-order mark, in any order; unknown columns are ignored."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise FileRejected("The file is empty: it needs a header row.") from None
        names = [h.strip().lstrip("\ufeff").strip().lower().replace(" ", "_") for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise FileRejected(
                f"The header row has no {', '.join(missing)} column. Required columns: {', '.join(REQUIRED_COLUMNS)}."
            )
        index = {n: i for i, n in enumerate(names) if n in COLUMNS}
        width = len(names)
        last_line = reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # A malformed row (a NUL byte, a runaway field): report it and carry on with the next.
                yield last_line + 1, {"__csv_error__": str(exc)}, False
                last_line = reader.line_num
                continue
            start = last_line + 1
            last_line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line
            raw = {c: (fields[i] if i < len(fields) else None) for c, i in index.items()}
            yield start, raw, len(fields) == width
    finally:
        text.detach()


def _yes_no(value: str, column: str, *, required: bool) -> tuple[str, str | None]:
    v = value.strip().upper()
    v = {"YES": "Y", "NO": "N"}.get(v, v)
    if v in ("Y", "N") or (v == "" and not required):
        return v, None
    return "", ("Y or N" if required else "Y, N or blank (not stated)")


def normalise_name(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if ch.isalpha()).casefold()


def normalise_phone(value: str) -> str:
    """E.164 for a possible UK (or international) number; raises ValueError otherwise."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_uk_mobile(e164: str) -> bool:
    return e164.startswith("+447") and not e164.startswith("+4470") and len(e164) == 13


def _text(value: str, limit: int) -> tuple[str, str | None]:
    v = value.strip()
    if "\ufffd" in v:
        return v, "text in the file's encoding (this cell is in a different encoding from the rest of the file)"
    if len(v) > limit:
        return v, f"at most {limit} characters"
    return v, None


def _name(value: str, required: bool) -> tuple[str, str | None]:
    v, problem = _text(value, 100)
    if problem:
        return v, problem
    if required and not v:
        return v, "a name (required)"
    if v.startswith(_FORMULA_START):
        return v, "a name, not a spreadsheet formula or a value starting with = + - @"
    if any(ch in v for ch in '"<>{}|\\;') or any(unicodedata.category(ch) == "Cc" for ch in v):
        return v, "a name of letters, spaces, apostrophes, full stops and hyphens only"
    return v, None


def parse_datetime(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UK)
    return moment


def validate_row(
    line: int, raw: Mapping[str, str | None], width_ok: bool, vocab: Vocabulary, today: date
) -> ParsedRow | list[RowError]:
    """Check and normalise one row. Returns the row, or every error found in it."""
    errors: list[RowError] = []

    def err(column: str, value: str | None, expected: str) -> None:
        errors.append(RowError(line, column, (value or "")[:200], expected))

    if "__csv_error__" in raw:
        err("(row)", raw["__csv_error__"], "a well-formed CSV row (check for stray quotes)")
        return errors
    if not width_ok:
        err("(row)", "", "as many fields as the header row has (check for stray commas or quotes)")
        return errors

    def get(column: str) -> str:
        return raw.get(column) or ""

    v: dict[str, Any] = {}

    force = get("force_code").strip().upper()
    if not force:
        err("force_code", force, "a police force area code such as E23000017 (required)")
    elif not _FORCE_CODE.fullmatch(force):
        err("force_code", force, "a police force area GSS code: E23 and six digits")
    elif vocab.force_codes and force not in vocab.force_codes:
        err("force_code", force, f"this deployment's force: {', '.join(sorted(vocab.force_codes))}")
    v["force_code"] = force

    for column in ("crime_reference", "victim_reference"):
        ref = get(column).strip()
        if not ref:
            err(column, ref, "a reference (required)")
        elif not _REFERENCE.fullmatch(ref):
            err(column, ref, "up to 40 letters, digits and / - _ . (starting with a letter or digit)")
        v[column] = ref

    recorded = get("recorded_at").strip()
    try:
        moment = parse_datetime(recorded)
        if moment.date() > today:
            err("recorded_at", recorded, "a date-time that is not in the future")
        v["recorded_at"] = moment
    except ValueError:
        err("recorded_at", recorded, "an ISO 8601 date-time, for example 2021-03-14T22:05:00 (required)")

    offence = get("offence_group").strip().lower()
    if offence not in vocab.offence_groups:
        err("offence_group", offence, "an offence-group slug from the reference data, for example burglary-residential")
    v["offence_group_id"] = vocab.offence_groups.get(offence)
    v["offence_group"] = offence

    desc, problem = _text(get("offence_description"), 500)
    if problem:
        err("offence_description", desc, problem)
    v["offence_description"] = desc

    flags = sorted({f.strip().lower() for f in get("flags").split(";") if f.strip()})
    unknown = [f for f in flags if f not in vocab.flags]
    if unknown:
        err("flags", ";".join(unknown), "flag slugs from the reference data, separated by semicolons")
    v["flags"] = flags

    for column, required in (("first_name", True), ("last_name", False)):
        name, problem = _name(get(column), required)
        if problem:
            err(column, name, problem)
        v[column] = name

    dob_raw = get("date_of_birth").strip()
    v["date_of_birth"] = None
    if dob_raw:
        try:
            dob = date.fromisoformat(dob_raw)
            if dob > today or dob.year < 1900:
                err("date_of_birth", dob_raw, "a date of birth between 1900 and today")
            v["date_of_birth"] = dob
        except ValueError:
            err("date_of_birth", dob_raw, "an ISO date, for example 1984-07-21, or blank")

    for column, table in (("sex", vocab.sex), ("ethnicity", vocab.ethnicity)):
        label = get(column).strip()
        if label:
            found = table.get(label.casefold())
            if found is None:
                err(column, label, f"an ONS {column} label or code, or blank for not recorded")
            v[f"{column}_id"] = found
        else:
            v[f"{column}_id"] = vocab.not_recorded.get(column)

    postcode = get("postcode").strip().upper()
    if postcode:
        match = _POSTCODE.fullmatch(postcode)
        if match:
            postcode = f"{match.group(1)} {match.group(2)}"
        else:
            err("postcode", postcode, "a UK postcode such as CV34 4RL, or blank")
    v["postcode"] = postcode

    district = get("district").strip().upper()
    if district and district not in vocab.districts:
        err("district", district, f"a district GSS code: {', '.join(sorted(vocab.districts))}, or blank")
    v["district_id"] = vocab.districts.get(district) if district else None
    v["district"] = district

    phone = get("phone").strip()
    v["phone"] = ""
    if phone:
        try:
            v["phone"] = normalise_phone(phone)
        except ValueError:
            err("phone", phone, "a phone number, for example 07700 900123, or blank")

    for column in ("email", "officer_email"):
        address = get(column).strip()
        if address:
            try:
                _email(address)
                local, _, domain = address.rpartition("@")
                address = f"{local}@{domain.lower()}"
            except ValidationError:
                err(column, address, "an email address, or blank")
        v[column] = address

    language = get("preferred_language").strip().lower()
    if language and language not in _LANGUAGES:
        err("preferred_language", language, "an ISO 639-1 language code such as pl, pa or gu, or blank")
    v["preferred_language"] = language

    consent, problem = _yes_no(get("consent_to_share"), "consent_to_share", required=True)
    if problem:
        err("consent_to_share", get("consent_to_share"), problem)
    v["consent_to_share"] = consent == "Y"
    for column in ("contact_permitted", "safe_to_text", "safe_to_email"):
        answer, problem = _yes_no(get(column), column, required=False)
        if problem:
            err(column, get(column), problem)
        v[column] = answer

    if errors:
        return errors
    return ParsedRow(line=line, values=v, row_hash=row_hash(v))


_HASHED = (
    "force_code",
    "crime_reference",
    "victim_reference",
    "recorded_at",
    "offence_group",
    "offence_description",
    "flags",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex_id",
    "ethnicity_id",
    "postcode",
    "district",
    "phone",
    "email",
    "preferred_language",
    "consent_to_share",
    "contact_permitted",
    "safe_to_text",
    "safe_to_email",
    "officer_email",
)


def row_hash(values: Mapping[str, Any]) -> str:
    parts = []
    for k in _HASHED:
        value = values.get(k)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, list):
            value = ";".join(value)
        parts.append("" if value is None else str(value))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

"""Reading and checking the police transfer file, format version 1 (docs/police-transfer-format.md).

The file is read twice, both times streamed: once to hash it and detect its encoding, once to parse it.
Memory does not grow with the file. Each row is checked on its own; a bad row yields its errors (line,
column, what was expected, and the value only where it cannot be a victim's: see `RowError`) and never
stops the others.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import IO, Any
from zoneinfo import ZoneInfo

from onedoor.core.contact import (
    FORMULA_START,
    is_uk_mobile,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from onedoor.police.encoding import ENCODING_LABELS, FileFacts, FileRejected, sniff
from onedoor.police.vocabulary import LANGUAGES, Vocabulary

# Names importers use from here: the contact normalisers live in onedoor.core.contact, the encoding in
# onedoor.police.encoding, the vocabulary in onedoor.police.vocabulary.
__all__ = [
    "COLUMNS",
    "ENCODING_LABELS",
    "FORMAT_VERSION",
    "HEADER_LIMIT",
    "LANGUAGES",
    "REQUIRED_COLUMNS",
    "VALUE_SHOWN_COLUMNS",
    "FileFacts",
    "FileRejected",
    "LineSink",
    "ParsedRow",
    "RowError",
    "Vocabulary",
    "is_uk_mobile",
    "normalise_email",
    "normalise_name",
    "normalise_phone",
    "parse_datetime",
    "read_rows",
    "row_error_value",
    "sniff",
    "validate_row",
]

UK = ZoneInfo("Europe/London")
FORMAT_VERSION = "1"

COLUMNS = (
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
    "sex",
    "ethnicity",
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
    "risk_to_life",
)
REQUIRED_COLUMNS = ("force_code", "crime_reference", "victim_reference", "recorded_at", "offence_group")

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-_.]{0,39}$")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


# The columns whose values are codes from the reference data or the area, never facts about a person:
# a row error shows what was sent in these, and nothing that was sent in any other column.
VALUE_SHOWN_COLUMNS = frozenset({"force_code", "offence_group", "flags", "district"})
_CODE_SHAPED = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _;./-]{0,59}")
_GSS_CODE = re.compile(r"[A-Za-z][0-9]{8}")
_DIGITS = re.compile(r"[0-9]")


def row_error_value(column: str, value: str) -> str:
    """What a row error may show of the value sent: nothing, unless the column holds codes and the value
    looks like a code. A value in a code column that looks like contact details, a date or a postcode
    (an @; five digits or more that are not a GSS code; a postcode's shape) is withheld too, in case a
    file put a victim's details under the wrong heading."""
    if column not in VALUE_SHOWN_COLUMNS or not _CODE_SHAPED.fullmatch(value):
        return ""
    if len(_DIGITS.findall(value)) >= 5 and not _GSS_CODE.fullmatch(value):
        return ""
    if _POSTCODE.fullmatch(value.upper()):
        return ""
    return value


@dataclass(frozen=True)
class RowError:
    """One problem in one row: the line it starts on, the column, and what was expected. `value` keeps
    what was sent only where `row_error_value` allows; everywhere else it is blank, so that neither the
    database, the batch page, the errors CSV nor the command's output holds a victim's details."""

    line: int
    column: str
    value: str
    expected: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", row_error_value(self.column, self.value))


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    row_hash: str

    @property
    def key(self) -> tuple[str, str, str]:
        v = self.values
        return (v["force_code"], v["crime_reference"], v["victim_reference"])


# -- pass 2: rows ------------------------------------------------------------------------------------


HEADER_LIMIT = 20_000  # characters: the 22 column names take about 400


class LineSink:
    """Collects the physical lines `read_rows` reads, for cutting a file into chunks of whole rows.
    `header_lines` is how many of them (leading blank lines included) come before the first row."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.header_lines = 0


def _captured(lines: Iterator[str], sink: LineSink) -> Iterator[str]:
    for line in lines:
        sink.lines.append(line)
        yield line


def _unreadable(start: int, end: int, why: str) -> Iterator[tuple[int, dict[str, str | None], bool]]:
    """One unreadable row for each line from `start` to `end`: a stray quote that swallowed the lines
    after it must not make the victims on them vanish unreported."""
    if start == end:
        yield start, {"__csv_error__": f"a well-formed CSV row ({why}; check for stray quotes)"}, False
        return
    yield (
        start,
        {
            "__csv_error__": f"a well-formed CSV row: a double quote on this line opens a quoted field that does "
            f"not close until line {end}, so lines {start} to {end} could not be read ({why}). Check the "
            f"quotes on line {start} and send these rows again"
        },
        False,
    )
    for line in range(start + 1, end + 1):
        yield (
            line,
            {
                "__csv_error__": f"a row of its own: a stray double quote on line {start} swallowed this line "
                f"into a quoted field that runs to line {end}. Check the quotes on line {start} and send "
                f"these rows again"
            },
            False,
        )


def read_rows(
    f: IO[bytes], encoding: str, *, line_offset: int = 0, sink: LineSink | None = None
) -> Iterator[tuple[int, dict[str, str | None], bool]]:
    """Yield (line the row starts on, {column: raw value}, number of fields). Header names are matched
    without regard to case, spaces or a byte-order mark, in any order; unknown columns are ignored.
    `line_offset` is added to every line number (a chunk of a file, read with its header); `sink`
    collects the physical lines read. A file with no header, a header line too long to be one, or a
    header and no rows is refused with `FileRejected`; an unreadable row is yielded as an error for
    every line it covers."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding=encoding, errors="replace", newline="")
    try:
        blank = 0  # blank lines before the header
        while True:
            first = text.readline(HEADER_LIMIT + 1)
            if len(first) > HEADER_LIMIT:
                raise FileRejected(
                    f"The first line is longer than {HEADER_LIMIT:,} characters, so it cannot be the header row "
                    "of column names. Check that this is a police transfer file (CSV, one row per line)."
                )
            if not first:
                raise FileRejected(
                    "The file has only blank lines: it needs a header row, then one row for each victim."
                    if blank
                    else "The file is empty: it needs a header row."
                )
            if sink is not None:
                sink.lines.append(first)
            if first.strip():
                break
            blank += 1
        rest: Iterator[str] = text if sink is None else _captured(text, sink)
        reader = csv.reader(chain([first], rest))
        try:
            header = next(reader)
        except csv.Error as exc:
            raise FileRejected(f"The header row could not be read as CSV ({exc}).") from None
        names = [h.strip().lstrip("\ufeff").strip().lower().replace(" ", "_") for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise FileRejected(
                f"The header row has no {', '.join(missing)} column. Required columns: {', '.join(REQUIRED_COLUMNS)}."
            )
        index = {n: i for i, n in enumerate(names) if n in COLUMNS}
        width = len(names)
        columns = tuple(index)
        # A line inside a quoted field with this many commas is rows swallowed by a stray quote (a
        # description may run over lines, but not with the shape of a row).
        swallowed = re.compile("[\r\n][^\r\n]*" + "(?:,[^\r\n]*)" * max(2, width // 2))
        # The usual header, known columns first and in order: zip builds each row's dict in one C call.
        in_order = list(index.values()) == list(range(len(index)))
        base = blank + line_offset
        last_line = reader.line_num
        if sink is not None:
            sink.header_lines = blank + last_line
        rows = 0
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                # A malformed row (a NUL byte, a runaway field): every line it took is reported.
                yield from _unreadable(base + last_line + 1, base + reader.line_num, str(exc))
                last_line = reader.line_num
                rows += 1
                continue
            start = last_line + 1
            last_line = reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line
            rows += 1
            if last_line > start and (
                len(fields) != width or any(swallowed.search(v) for v in fields if "\n" in v or "\r" in v)
            ):
                yield from _unreadable(base + start, base + last_line, "a quoted field that runs over several lines")
                continue
            raw: dict[str, str | None]
            if in_order and len(fields) >= len(columns):
                raw = dict(zip(columns, fields))  # noqa: B905 - fields may hold unknown columns after ours
            else:
                raw = {c: (fields[i] if i < len(fields) else None) for c, i in index.items()}
            yield base + start, raw, len(fields) == width
        if not rows:
            raise FileRejected("The file has a header row but no rows: there is no victim in it to import.")
    finally:
        text.detach()


def _text(value: str, limit: int) -> tuple[str, str | None]:
    v = value.strip()
    if "\ufffd" in v:
        return v, "text in the file's encoding (this cell is in a different encoding from the rest of the file)"
    if len(v) > limit:
        return v, f"at most {limit} characters"
    return v, None


# Characters a name may not hold: these punctuation marks and the control characters (Unicode category
# Cc is exactly U+0000-U+001F and U+007F-U+009F), in one search instead of a category look-up per letter.
_NOT_IN_A_NAME = re.compile(r'["<>{}|\\;\x00-\x1f\x7f-\x9f]')


def _name(value: str, required: bool) -> tuple[str, str | None]:
    v = value.strip()
    if "\ufffd" in v or len(v) > 100:
        return _text(value, 100)
    if required and not v:
        return v, "a name (required)"
    if v.startswith(FORMULA_START):
        return v, "a name, not a spreadsheet formula or a value starting with = + - @"
    if _NOT_IN_A_NAME.search(v):
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
    # Written out straight, without helpers per cell, because it runs once per row of files of millions:
    # measure any change with `python bench/parse.py` (bench/README.md), whose digests must not change and
    # whose µs a row must not grow. This function is the one part of the police app allowed past 600 lines.
    if "__csv_error__" in raw:
        # The reader's own words (which lines, and the csv module's reason), never the row's text.
        return [RowError(line, "(row)", "", (raw["__csv_error__"] or "a well-formed CSV row")[:300])]
    if not width_ok:
        return [RowError(line, "(row)", "", "as many fields as the header row has (check for stray commas or quotes)")]

    cells = vocab.cells
    get = raw.get
    errors: list[RowError] = []

    # Each memo is looked up here and only checked (and remembered) by a _Cells method on a miss.
    cell = get("force_code") or ""
    force, problem = cells.forces.get(cell) or cells.force_code(cell)
    if problem:
        errors.append(RowError(line, "force_code", force[:200], problem))

    crime = (get("crime_reference") or "").strip()
    if not crime:
        errors.append(RowError(line, "crime_reference", crime, "a reference (required)"))
    elif not _REFERENCE.fullmatch(crime):
        errors.append(RowError(line, "crime_reference", crime[:200], _REFERENCE_EXPECTED))
    victim = (get("victim_reference") or "").strip()
    if not victim:
        errors.append(RowError(line, "victim_reference", victim, "a reference (required)"))
    elif not _REFERENCE.fullmatch(victim):
        errors.append(RowError(line, "victim_reference", victim[:200], _REFERENCE_EXPECTED))

    recorded = (get("recorded_at") or "").strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(recorded.replace("Z", "+00:00"))
    except ValueError:
        errors.append(RowError(line, "recorded_at", recorded[:200], _RECORDED_AT_EXPECTED))
    else:
        if moment.tzinfo is None:
            # The same datetime as moment.replace(tzinfo=UK) (fold is 0 either way), at a third of the cost.
            m = moment
            moment = datetime(m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond, UK)
        if moment.date() > today:
            errors.append(RowError(line, "recorded_at", recorded[:200], "a date-time that is not in the future"))

    cell = get("offence_group") or ""
    offence, offence_id, problem = cells.offences.get(cell) or cells.offence_group(cell)
    if problem:
        errors.append(RowError(line, "offence_group", offence[:200], problem))

    desc, problem = _text(get("offence_description") or "", 500)
    if problem:
        errors.append(RowError(line, "offence_description", desc[:200], problem))

    cell = get("flags") or ""
    flags, flags_joined, unknown = cells.flag_lists.get(cell) or cells.flags(cell)
    if unknown:
        errors.append(RowError(line, "flags", unknown[:200], _FLAGS_EXPECTED))

    first, problem = _name(get("first_name") or "", True)
    if problem:
        errors.append(RowError(line, "first_name", first[:200], problem))
    last, problem = _name(get("last_name") or "", False)
    if problem:
        errors.append(RowError(line, "last_name", last[:200], problem))

    dob_raw = (get("date_of_birth") or "").strip()
    dob: date | None = None
    if dob_raw:
        try:
            dob = date.fromisoformat(dob_raw)
        except ValueError:
            errors.append(
                RowError(line, "date_of_birth", dob_raw[:200], "an ISO date, for example 1984-07-21, or blank")
            )
        else:
            if dob > today or dob.year < 1900:
                errors.append(RowError(line, "date_of_birth", dob_raw[:200], "a date of birth between 1900 and today"))

    cell = get("sex") or ""
    sex_id, label, problem = cells.sexes.get(cell) or cells.demographic("sex", cell)
    if problem:
        errors.append(RowError(line, "sex", label[:200], problem))
    cell = get("ethnicity") or ""
    ethnicity_id, label, problem = cells.ethnicities.get(cell) or cells.demographic("ethnicity", cell)
    if problem:
        errors.append(RowError(line, "ethnicity", label[:200], problem))

    postcode = (get("postcode") or "").strip().upper()
    if postcode:
        match = _POSTCODE.fullmatch(postcode)
        if match:
            postcode = f"{match.group(1)} {match.group(2)}"
        else:
            errors.append(RowError(line, "postcode", postcode[:200], "a UK postcode such as CV34 4RL, or blank"))

    cell = get("district") or ""
    district, district_id, problem = cells.districts.get(cell) or cells.district(cell)
    if problem:
        errors.append(RowError(line, "district", district[:200], problem))

    phone = (get("phone") or "").strip()
    if phone:
        try:
            phone = normalise_phone(phone)
        except ValueError:
            errors.append(RowError(line, "phone", phone[:200], "a phone number, for example 07700 900123, or blank"))
            phone = ""

    email = (get("email") or "").strip()
    if email:
        normal = normalise_email(email)
        if normal is None:
            errors.append(RowError(line, "email", email[:200], "an email address, or blank"))
        else:
            email = normal
    cell = get("officer_email") or ""
    officer, ok = cells.officers.get(cell) or cells.officer_email(cell)
    if not ok:
        errors.append(RowError(line, "officer_email", officer[:200], "an email address, or blank"))

    cell = get("preferred_language") or ""
    language, problem = cells.languages.get(cell) or cells.language(cell)
    if problem:
        errors.append(RowError(line, "preferred_language", language[:200], problem))

    consent_raw = get("consent_to_share") or ""
    consent, problem = cells.required_answers.get(consent_raw) or cells.yes_no(consent_raw, True)
    if problem:
        errors.append(RowError(line, "consent_to_share", consent_raw[:200], problem))
    answers = []
    optional_answers = cells.optional_answers
    for column in ("contact_permitted", "safe_to_text", "safe_to_email", "risk_to_life"):
        answer_raw = get(column) or ""
        answer, problem = optional_answers.get(answer_raw) or cells.yes_no(answer_raw, False)
        if problem:
            errors.append(RowError(line, column, answer_raw[:200], problem))
        answers.append(answer)

    if errors:
        return errors
    assert moment is not None  # set whenever recorded_at had no error
    contact_permitted, safe_to_text, safe_to_email, risk_to_life = answers
    recorded_iso = moment.isoformat()
    consent_given = consent == "Y"
    # The row's values in file order (sex and ethnicity by the category matched, so a new label for the same
    # category is no change), to see whether a row changed since the last file: the values as they stand here.
    digest = hashlib.sha256(
        "\x1f".join(
            (
                force,
                crime,
                victim,
                recorded_iso,
                offence,
                desc,
                flags_joined,
                first,
                last,
                "" if dob is None else dob.isoformat(),
                "" if sex_id is None else str(sex_id),
                "" if ethnicity_id is None else str(ethnicity_id),
                postcode,
                district,
                phone,
                email,
                language,
                "True" if consent_given else "False",
                contact_permitted,
                safe_to_text,
                safe_to_email,
                officer,
                # Added after the first files: only a row that answers it hashes it, so an older file's rows
                # keep their hashes and are not seen as changed.
                *((f"risk_to_life={risk_to_life}",) if risk_to_life else ()),
            )
        ).encode()
    ).hexdigest()
    values: dict[str, Any] = {
        "force_code": force,
        "crime_reference": crime,
        "victim_reference": victim,
        "recorded_at": moment,
        "offence_group_id": offence_id,
        "offence_group": offence,
        "offence_description": desc,
        "flags": list(flags),
        "first_name": first,
        "last_name": last,
        "date_of_birth": dob,
        "sex_id": sex_id,
        "ethnicity_id": ethnicity_id,
        "postcode": postcode,
        "district_id": district_id,
        "district": district,
        "phone": phone,
        "email": email,
        "officer_email": officer,
        "preferred_language": language,
        "consent_to_share": consent_given,
        "contact_permitted": contact_permitted,
        "safe_to_text": safe_to_text,
        "safe_to_email": safe_to_email,
        "risk_to_life": risk_to_life,
    }
    return ParsedRow(line=line, values=values, row_hash=digest)


_REFERENCE_EXPECTED = "up to 40 letters, digits and / - _ . (starting with a letter or digit)"
_RECORDED_AT_EXPECTED = "an ISO 8601 date-time, for example 2021-03-14T22:05:00 (required)"
_FLAGS_EXPECTED = "flag slugs from the reference data, separated by semicolons"

"""What a police transfer file's coded columns may hold, loaded once per import, and the memo of each
checked value of the columns that repeat down a file (the vocabulary cache `validate_row` reads first)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pycountry

from onedoor.areas.current import district_codes
from onedoor.core.contact import normalise_email
from onedoor.core.models import DemographicCategory, District, Flag, OffenceGroup
from onedoor.core.reference_data import read_dataset

_FORCE_CODE = re.compile(r"^E23\d{6}$")
# ISO 639-1: the two-letter codes pycountry gives languages (its ISO 639-3 table), as accepted before
# pycountry replaced a hand-written table: "bh" (the Bihari languages, a collective code that ISO 639-3 has
# no entry for) is added, and "sh" (Serbo-Croatian, withdrawn from ISO 639-1 in 2000) is left out.
LANGUAGES = frozenset(
    {code for language in pycountry.languages if (code := getattr(language, "alpha_2", None))} - {"sh"} | {"bh"}
)


@dataclass
class Vocabulary:
    """What values are allowed, loaded once per import (and not changed after: see `cells`)."""

    force_codes: frozenset[str]
    offence_groups: Mapping[str, int]  # slug -> id
    flags: frozenset[str]
    districts: Mapping[str, int]  # GSS code -> id
    sex: Mapping[str, int]  # code or label (casefolded) -> id
    ethnicity: Mapping[str, int]
    not_recorded: Mapping[str, int] = field(default_factory=dict)
    # Checked values of the columns that repeat down a file, remembered against these fields: change a
    # field and the memo is stale, so build a new Vocabulary instead.
    cells: _Cells = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.cells = _Cells(self)

    @classmethod
    def load(cls, force_codes: frozenset[str]) -> Vocabulary:
        categories = DemographicCategory.objects.filter(characteristic__in=["sex", "ethnicity"])
        return cls._build(
            force_codes,
            offence_groups=dict(OffenceGroup.objects.values_list("slug", "pk")),
            flags=frozenset(Flag.objects.values_list("slug", flat=True)),
            districts=dict(District.objects.values_list("gss_code", "pk")),
            categories=[(c.pk, c.characteristic, c.code, c.label, c.group) for c in categories],
        )

    @classmethod
    def from_reference_data(cls, force_codes: frozenset[str]) -> Vocabulary:
        """The same vocabulary read from the reference data's files and the area file, without a database
        (ids are the rows' places in each file): for measuring and testing the parser on its own."""

        def rows(name: str) -> list[dict[str, Any]]:
            return list(read_dataset(name)["rows"])

        return cls._build(
            force_codes,
            offence_groups={r["slug"]: pk for pk, r in enumerate(rows("offence_groups.json"), start=1)},
            flags=frozenset(r["slug"] for r in rows("flags.json")),
            districts={code: pk for pk, code in enumerate(district_codes(), start=1)},
            categories=[
                (pk, c["characteristic"], c["code"], c["label"], c.get("group") or "")
                for pk, c in enumerate(rows("demographics.json"), start=1)
            ],
        )

    @classmethod
    def _build(
        cls,
        force_codes: frozenset[str],
        *,
        offence_groups: Mapping[str, int],
        flags: frozenset[str],
        districts: Mapping[str, int],
        categories: list[tuple[int, str, str, str, str]],  # (id, characteristic, code, label, group)
    ) -> Vocabulary:
        """Sex and ethnicity are matched by code, by label, or by "group: label", without regard to case."""
        demo: dict[str, dict[str, int]] = {"sex": {}, "ethnicity": {}}
        not_recorded: dict[str, int] = {}
        for pk, characteristic, code, label, group in categories:
            if characteristic not in demo:
                continue
            names = demo[characteristic]
            names[code.casefold()] = pk
            names[label.casefold()] = pk
            if group:
                names[f"{group}: {label}".casefold()] = pk
            if code == "not-recorded":
                not_recorded[characteristic] = pk
        return cls(
            force_codes=force_codes,
            offence_groups=offence_groups,
            flags=flags,
            districts=districts,
            sex=demo["sex"],
            ethnicity=demo["ethnicity"],
            not_recorded=not_recorded,
        )


def _yes_no(value: str, column: str, *, required: bool) -> tuple[str, str | None]:
    v = value.strip().upper()
    v = {"YES": "Y", "NO": "N"}.get(v, v)
    if v in ("Y", "N") or (v == "" and not required):
        return v, None
    return "", ("Y or N" if required else "Y, N or blank (not stated)")


_MEMO_LIMIT = 5000  # distinct values remembered per column; a full memo starts again, so memory stays flat
_T = TypeVar("_T")


def _remember(memo: dict[str, _T], value: str, checked: _T) -> _T:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[value] = checked
    return checked


class _Cells:
    """Checks of the columns whose values repeat down a file (the force, offence groups, flags, sex,
    ethnicity, districts, languages, Y/N answers, officers), each remembered per distinct raw value for one
    vocabulary. Never names, phone numbers or victims' email addresses: those differ from row to row."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.forces: dict[str, tuple[str, str | None]] = {}
        self.offences: dict[str, tuple[str, int | None, str | None]] = {}
        self.flag_lists: dict[str, tuple[tuple[str, ...], str, str]] = {}
        self.sexes: dict[str, tuple[int | None, str, str | None]] = {}
        self.ethnicities: dict[str, tuple[int | None, str, str | None]] = {}
        self.districts: dict[str, tuple[str, int | None, str | None]] = {}
        self.languages: dict[str, tuple[str, str | None]] = {}
        self.required_answers: dict[str, tuple[str, str | None]] = {}
        self.optional_answers: dict[str, tuple[str, str | None]] = {}
        self.officers: dict[str, tuple[str, bool]] = {}

    def force_code(self, value: str) -> tuple[str, str | None]:
        found = self.forces.get(value)
        if found is not None:
            return found
        force = value.strip().upper()
        problem = None
        if not force:
            problem = f"a police force area code such as {min(self.vocab.force_codes, default='E23000001')} (required)"
        elif not _FORCE_CODE.fullmatch(force):
            problem = "a police force area GSS code: E23 and six digits"
        elif self.vocab.force_codes and force not in self.vocab.force_codes:
            problem = f"this deployment's force: {', '.join(sorted(self.vocab.force_codes))}"
        return _remember(self.forces, value, (force, problem))

    def offence_group(self, value: str) -> tuple[str, int | None, str | None]:
        found = self.offences.get(value)
        if found is not None:
            return found
        offence = value.strip().lower()
        problem = None
        if offence not in self.vocab.offence_groups:
            problem = "an offence-group slug from the reference data, for example burglary-residential"
        return _remember(self.offences, value, (offence, self.vocab.offence_groups.get(offence), problem))

    def flags(self, value: str) -> tuple[tuple[str, ...], str, str]:
        """(the flags, sorted; them joined with ';'; the unknown ones joined with ';', or '')."""
        found = self.flag_lists.get(value)
        if found is not None:
            return found
        flags = sorted({f.strip().lower() for f in value.split(";") if f.strip()})
        unknown = ";".join(f for f in flags if f not in self.vocab.flags)
        return _remember(self.flag_lists, value, (tuple(flags), ";".join(flags), unknown))

    def demographic(self, column: str, value: str) -> tuple[int | None, str, str | None]:
        """(the category's id, the label as given, the problem) for sex or ethnicity."""
        memo = self.sexes if column == "sex" else self.ethnicities
        found = memo.get(value)
        if found is not None:
            return found
        label = value.strip()
        problem = None
        if label:
            table = self.vocab.sex if column == "sex" else self.vocab.ethnicity
            pk = table.get(label.casefold())
            if pk is None:
                problem = f"an ONS {column} label or code, or blank for not recorded"
        else:
            pk = self.vocab.not_recorded.get(column)
        return _remember(memo, value, (pk, label, problem))

    def district(self, value: str) -> tuple[str, int | None, str | None]:
        found = self.districts.get(value)
        if found is not None:
            return found
        district = value.strip().upper()
        problem = None
        if district and district not in self.vocab.districts:
            problem = f"a district GSS code: {', '.join(sorted(self.vocab.districts))}, or blank"
        pk = self.vocab.districts.get(district) if district else None
        return _remember(self.districts, value, (district, pk, problem))

    def language(self, value: str) -> tuple[str, str | None]:
        found = self.languages.get(value)
        if found is not None:
            return found
        language = value.strip().lower()
        problem = None
        if language and language not in LANGUAGES:
            problem = "an ISO 639-1 language code such as pl, pa or gu, or blank"
        return _remember(self.languages, value, (language, problem))

    def yes_no(self, value: str, required: bool) -> tuple[str, str | None]:
        memo = self.required_answers if required else self.optional_answers
        found = memo.get(value)
        if found is not None:
            return found
        return _remember(memo, value, _yes_no(value, "", required=required))

    def officer_email(self, value: str) -> tuple[str, bool]:
        """(the address, normalised when it is one; whether it is one)."""
        found = self.officers.get(value)
        if found is not None:
            return found
        address = value.strip()
        normal = normalise_email(address) if address else address
        return _remember(self.officers, value, (address, False) if normal is None else (normal, True))

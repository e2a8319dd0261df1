"""The national vocabularies of the public crime files, as versioned reference data in `reference/`: the
public crime types (and the OneDoor offence groups each covers), the outcome categories and their groups,
and the police forces by the names the files use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))
    return data


def slug(label: str) -> str:
    """The code a public label is stored under: "Investigation complete; no suspect identified" ->
    "investigation-complete-no-suspect-identified"."""
    return re.sub(r"[^a-z0-9]+", "-", label.strip().lower()).strip("-")


@dataclass(frozen=True)
class CrimeType:
    code: str
    label: str
    asb: bool
    offence_groups: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    group: str


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    police_uk_name: str


@dataclass(frozen=True)
class Vocabularies:
    crime_types: dict[str, CrimeType]  # by code
    outcomes: dict[str, Outcome]  # by code
    outcome_groups: dict[str, str]  # code -> label, in order
    forces: dict[str, Force]  # by the name in the files, lower case
    versions: dict[str, str]  # dataset -> version

    def crime_type_of_offence_group(self, offence_group: str) -> str | None:
        for t in self.crime_types.values():
            if offence_group in t.offence_groups:
                return t.code
        return None

    def force_named(self, name: str) -> Force | None:
        return self.forces.get(name.strip().lower())

    def force_coded(self, code: str) -> Force | None:
        return next((f for f in self.forces.values() if f.code == code), None)


@cache
def vocabularies() -> Vocabularies:
    types = _read("police-uk-crime-types.json")
    outcomes = _read("police-uk-outcomes.json")
    forces = _read("police-forces.json")
    return Vocabularies(
        crime_types={
            r["code"]: CrimeType(r["code"], r["label"], r["asb"], tuple(r["offence_groups"])) for r in types["rows"]
        },
        outcomes={r["code"]: Outcome(r["code"], r["label"], r["group"]) for r in outcomes["rows"]},
        outcome_groups={g["code"]: g["label"] for g in outcomes["groups"]},
        forces={r["police_uk_name"].lower(): Force(r["code"], r["name"], r["police_uk_name"]) for r in forces["rows"]},
        versions={d["dataset"]: d["version"] for d in (types, outcomes, forces)},
    )

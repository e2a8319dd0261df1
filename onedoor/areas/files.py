"""Find, read and validate an area file (docs/areas.md).

An area is named either by a bundled file's name (`warwickshire`, `city-of-london`: the files in this
package) or by a path to a file anywhere. Every file is checked against the versioned JSON Schema in
`schema/area-v<N>.json`, and then for the cross-references a schema cannot express (a rule's service
exists, the offer service is commissioned). Problems are reported all at once, each with its path in the
file (`services[2].phone`) and the reason. Nothing here touches the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

AREAS_DIR = Path(__file__).resolve().parent
SCHEMA_DIR = AREAS_DIR / "schema"
SCHEMA_VERSIONS = (1,)


class AreaConfigError(ValueError):
    """The area file cannot be used. `problems` lists every problem, one line each."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message if not problems else f"{message}:\n" + "\n".join(f"- {p}" for p in problems))


def bundled_areas() -> list[str]:
    return sorted(p.stem for p in AREAS_DIR.glob("*.json") if "." not in p.stem)


def area_path(area: str | Path) -> Path:
    """A bundled area's file, or the file at a path (anything with a slash or ending in .json is a path)."""
    text = str(area)
    if "/" in text or text.endswith(".json"):
        path = Path(text).expanduser().resolve()
        if not path.is_file():
            raise AreaConfigError(f"No area file at {text}")
        return path
    path = AREAS_DIR / f"{text}.json"
    if not path.is_file() or "." in text:
        raise AreaConfigError(f"No area called {text!r}. Known areas: {', '.join(bundled_areas())}, or give a path")
    return path


@cache
def schema(version: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / f"area-v{version}.json").read_text(encoding="utf-8"))
    return data


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(the file)"


def schema_problems(data: Any) -> list[str]:
    if not isinstance(data, dict):
        return ["(the file): must be a JSON object"]
    version = data.get("schema_version")
    if version not in SCHEMA_VERSIONS:
        known = ", ".join(str(v) for v in SCHEMA_VERSIONS)
        return [f"schema_version: {version!r} is not a version this OneDoor reads ({known})"]
    validator = Draft202012Validator(schema(version), format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{_where(e.absolute_path)}: {e.message}" for e in errors]


def _unique(rows: list[dict[str, Any]], key: str, where: str) -> tuple[set[str], list[str]]:
    seen: set[str] = set()
    problems = []
    for i, row in enumerate(rows):
        if row[key] in seen:
            problems.append(f"{where}[{i}].{key}: {row[key]!r} appears twice")
        seen.add(row[key])
    return seen, problems


def reference_problems(data: dict[str, Any]) -> list[str]:
    """What the schema cannot say: every slug named is defined in the file, and the offer service fits."""
    orgs, problems = _unique(data["organisations"], "slug", "organisations")
    _, more = _unique(data["services"], "slug", "services")
    districts, most = _unique(data["districts"], "gss_code", "districts")
    problems += more + most
    for i, row in enumerate(data["services"]):
        if row.get("organisation") and row["organisation"] not in orgs:
            problems.append(f"services[{i}].organisation: no organisation {row['organisation']!r} in this file")
    by_slug = {s["slug"]: s for s in data["services"]}
    offer = data["police_offer"]["service"]
    if offer not in by_slug:
        problems.append(f"police_offer.service: no service {offer!r} in this file")
    elif by_slug[offer]["kind"] != "commissioned" or not by_slug[offer].get("phone"):
        problems.append(f"police_offer.service: {offer!r} must be a commissioned service with a phone number")
    commissioner = data["commissioner"].get("organisation")
    if commissioner and commissioner not in orgs:
        problems.append(f"commissioner.organisation: no organisation {commissioner!r} in this file")
    for i, rule in enumerate(data["routing_rules"]):
        if rule.get("service") and rule["service"] not in by_slug:
            problems.append(f"routing_rules[{i}].service: no service {rule['service']!r} in this file")
        for j, code in enumerate(rule.get("districts", [])):
            if code not in districts:
                problems.append(f"routing_rules[{i}].districts[{j}]: {code!r} is not one of this area's districts")
    for i, district in enumerate(data["districts"]):
        census = district["census"]
        if sum(b["persons"] for b in census["age_bands"]) != census["population"]:
            problems.append(f"districts[{i}].census.age_bands: the bands do not add up to the population")
    for i, rule in enumerate(data["out_of_area"]):
        for j, code in enumerate(rule.get("districts", [])):
            if code in districts:
                problems.append(f"out_of_area[{i}].districts[{j}]: {code!r} is one of this area's own districts")
    flags = reference_flags()
    for i, signal in enumerate((data.get("priority") or {}).get("signals", [])):
        if signal.get("flag") and signal["flag"] not in flags:
            problems.append(
                f"priority.signals[{i}].flag: no flag {signal['flag']!r}; the flags are {', '.join(sorted(flags))}"
            )
    return problems


@cache
def reference_flags() -> frozenset[str]:
    """The national flags' slugs (onedoor/core/reference/flags.json), read from the file, not the database."""
    path = AREAS_DIR.parent / "core" / "reference" / "flags.json"
    return frozenset(row["slug"] for row in json.loads(path.read_text(encoding="utf-8"))["rows"])


def area_problems(data: Any) -> list[str]:
    problems = schema_problems(data)
    return problems or reference_problems(data)


@dataclass(frozen=True)
class AreaFile:
    path: Path
    data: dict[str, Any]

    @property
    def seed_path(self) -> Path | None:
        seed = self.data["directory"].get("seed")
        return self.path.parent / seed if seed else None


def _parse(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AreaConfigError(f"{path}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise AreaConfigError(f"{path}: not valid JSON", [f"line {exc.lineno}, column {exc.colno}: {exc.msg}"]) from exc


@cache
def _read(path: Path, mtime_ns: int) -> AreaFile:
    data = _parse(path)
    problems = area_problems(data)
    if problems:
        raise AreaConfigError(f"{path.name} is not a valid area file", problems)
    return AreaFile(path=path, data=data)


def read_area_file(area: str | Path) -> AreaFile:
    """The validated area file, read again only when it changes on disk."""
    path = area_path(area)
    return _read(path, path.stat().st_mtime_ns)


def read_area(area: str | Path) -> dict[str, Any]:
    return read_area_file(area).data


def check_area(area: str | Path) -> list[str]:
    """Every problem with the file, or none. Never raises for a bad file."""
    try:
        path = area_path(area)
    except AreaConfigError as exc:
        return exc.problems
    try:
        data = _parse(path)
    except AreaConfigError as exc:
        return [str(exc)]
    return area_problems(data)

"""The vendored official HSDS 3.0 schemas (tests/directory/hsds/, SOURCE.md), loaded into a `referencing`
registry under the addresses the published OpenAPI file uses for them, so every `$ref` resolves to these files
and nothing is fetched. `validate(instance, path=..., status=...)` checks a response against the OpenAPI file's
own response schema for that path; `validate_against(instance, "compiled/service.json")` against one schema."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).resolve().parent / "hsds"
OPENAPI = "openapi.json"

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value)) and bool(
        datetime.fromisoformat(value)
    )


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


def published_digests() -> dict[str, str]:
    """name -> SHA-256 of the file as published, from SOURCE.md."""
    text = (HERE / "SOURCE.md").read_text()
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.MULTILINE)}


def raw_bytes(name: str) -> bytes:
    path = HERE / name
    if path.exists():
        return path.read_bytes()
    return gzip.decompress((HERE / f"{name}.gz").read_bytes())


def sha256(name: str) -> str:
    return hashlib.sha256(raw_bytes(name)).hexdigest()


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw_bytes(name))
    return data


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref" and isinstance(v, str)] + [
            r for v in node.values() for r in _refs(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@cache
def base_uri() -> str:
    """Where the OpenAPI file says the schemas live (its `$ref`s are absolute): read from the file itself."""
    absolute = [r for r in _refs(_load(OPENAPI)) if "://" in r]
    first = absolute[0]
    return first[: first.index("/compiled/") + 1] if "/compiled/" in first else first.rsplit("/", 1)[0] + "/"


@cache
def registry() -> Registry[Any]:
    names = [name for name in published_digests() if name != OPENAPI]
    resources: list[tuple[str, Resource[Any]]] = [
        (base_uri() + name, DRAFT202012.create_resource(_load(name))) for name in [*names, OPENAPI]
    ]
    return Registry().with_resources(resources)


def openapi() -> dict[str, Any]:
    return _load(OPENAPI)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def errors_for(instance: Any, schema: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(schema, registry=registry(), format_checker=FORMATS)
    found = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{list(e.absolute_path)}: {e.message}" for e in found]


def response_schema(path: str, status: str = "200") -> dict[str, Any]:
    return {
        "$ref": f"{base_uri()}{OPENAPI}#/{_pointer('paths', path, 'get', 'responses', status)}"
        "/content/application~1json/schema"
    }


def schema(name: str) -> dict[str, Any]:
    return {"$ref": base_uri() + name}

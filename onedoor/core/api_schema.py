"""The error bodies every API operation may answer with, declared once, so that the OpenAPI document
(/api/v1/openapi.json) states every status code an operation returns, with its body.

- 400: input OneDoor cannot store (a NUL byte; onedoor.core.input_guard), or a parameter the schema cannot
  state a rule for (a date that does not exist). `{"detail": "..."}`
- 401: no credentials, or credentials that do not admit this role. `{"detail": "Unauthorized"}`
- 404: no such record, or one the caller may not see (the same answer, on purpose). `{"detail": "..."}`
- 422: input that breaks the schema, each problem named: `{"detail": "...", "errors": {"query.page": [...]}}`

`responses(200, Out, 404, 422)` builds an operation's `response=` mapping: the success schema, then the
error codes it can answer, each with `ErrorOut`. 400 is added to every operation, because the input guard
runs before any of them.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


AUTH_ERRORS = (401,)


def responses(ok: int, schema: Any, *errors: int, extra: dict[int, Any] | None = None) -> dict[int, Any]:
    out: dict[int, Any] = {ok: schema, 400: ErrorOut}
    out.update(dict.fromkeys(errors, ErrorOut))
    out.update(extra or {})
    return out


_PATTERN_MESSAGES: dict[str, str] = {}


def pattern_explained(pattern: str, message: str) -> str:
    """Register what a schema pattern means, in words, for the 422 that breaking it answers; returns the
    pattern, so a router can write `Query(pattern=pattern_explained(POSTCODE, "Enter a full UK postcode"))`."""
    _PATTERN_MESSAGES[pattern] = message
    return pattern


def validation_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """pydantic's list of errors as `ErrorOut`: one line per problem, under where it is (`query.per_page`,
    `body.payload.district`), in words a person can act on."""
    by_place: dict[str, list[str]] = {}
    for error in errors:
        place = ".".join(str(part) for part in error.get("loc", ())) or "request"
        message = str(error.get("msg", "is not valid"))
        if error.get("type") == "string_pattern_mismatch":
            message = _PATTERN_MESSAGES.get(str((error.get("ctx") or {}).get("pattern")), message)
        by_place.setdefault(place, []).append(message)
    summary = "; ".join(f"{place}: {' '.join(msgs)}" for place, msgs in by_place.items())
    return {"detail": f"Fix the request: {summary}", "errors": by_place}

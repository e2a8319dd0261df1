from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.params.functions import Header as HeaderParam
from ninja.params.functions import Path as PathParam
from pydantic import ConfigDict

from onedoor.accounts.api_auth import api_auth
from onedoor.accounts.models import Role
from onedoor.areas.current import district_codes
from onedoor.core.api_schema import pattern_explained, responses
from onedoor.core.reference_data import read_dataset
from onedoor.core.submissions import (
    SubmissionKeyReused,
    submission_fingerprint,
    submission_key_is_valid,
    submission_run,
)
from onedoor.referrals import selectors, services
from onedoor.referrals.forms import ReferralForm

router = Router(tags=["referrals"])


NO_NUL = pattern_explained(r"^[^\x00]*$", "Remove the NUL character (\\u0000).")
NOT_BLANK = pattern_explained(r"^[^\x00]*[^\x00\s][^\x00]*$", "Fill this in: it cannot be blank.")
DATE = pattern_explained(
    r"^ *([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/ -][0-9]{1,2}[/ -][0-9]{4}) *$",
    "Give the date as day/month/year, like 27/3/2008, or year-month-day, like 2008-03-27.",
)
POSTCODE = pattern_explained(
    r"^ *([A-Za-z]{1,2}[0-9][A-Za-z0-9]? *[0-9][A-Za-z]{2})? *$", "Enter a full UK postcode, like CV34 4RL."
)
IDEMPOTENCY_KEY = pattern_explained(
    r"^[!-~]([ -~]{0,253}[!-~])?$", "Use 1 to 255 printable ASCII characters, for example a UUID."
)


def _text(max_length: int, description: str = "") -> Any:
    return Field("", max_length=max_length, pattern=NO_NUL, description=description)


def _codes(filename: str, characteristic: str | None = None) -> list[str]:
    rows = read_dataset(filename)["rows"]
    return [r.get("slug") or r["code"] for r in rows if characteristic in (None, r.get("characteristic"))]


def _enum(values: Callable[[], list[str]], *, nullable: bool = True) -> Callable[[dict[str, Any]], None]:
    """The allowed codes, read when the OpenAPI document is built (from the area file or the reference data),
    so the schema lists exactly what the form accepts."""

    def extra(schema: dict[str, Any]) -> None:
        allowed: list[Any] = list(values())
        target = schema
        for option in schema.get("anyOf", []):
            if option.get("type") == "string":
                target = option
        target["enum"] = allowed
        target.pop("pattern", None)
        if nullable and target is schema:
            schema["enum"] = [*allowed, None]

    return extra


def _flag_enum(schema: dict[str, Any]) -> None:
    schema["items"]["enum"] = _codes("flags.json")


def _demographic(characteristic: str) -> Any:
    codes = partial(_codes, "demographics.json", characteristic)
    return Field(None, json_schema_extra=_enum(codes), description=f"A {characteristic} code, or null: not asked.")


class ReferralIn(Schema):
    """The standard referral form's fields. Validation is the form's, so the API and the web page agree.
    The schema states each field's own rules; the rules between fields (a phone number or an email; at least
    one safe way to make contact; a crime reference when reported; consent or a lawful basis) and phone
    number validity are the form's, and a request that breaks one answers 422 naming the field."""

    model_config = ConfigDict(extra="forbid")

    first_name: str = Field(max_length=100, pattern=NOT_BLANK)
    last_name: str = _text(100)
    date_of_birth: str | None = Field(None, pattern=DATE, description="27/3/2008 or 2008-03-27; or give age.")
    age: int | None = Field(None, ge=0, le=130)
    preferred_language: str = _text(60)
    interpreter_needed: bool = False
    communication_needs: str = _text(500)
    ethnicity: str | None = _demographic("ethnicity")
    sex: str | None = _demographic("sex")
    gender_identity: str | None = _demographic("gender_identity")
    sexual_orientation: str | None = _demographic("sexual_orientation")
    disability: str | None = _demographic("disability")
    religion: str | None = _demographic("religion")
    phone: str = _text(30, "A UK mobile or landline.")
    email: str = Field("", max_length=254, pattern=NO_NUL, description="An email address.")
    phone_is_own: bool = False
    safe_to_call: bool = False
    safe_to_text: bool = False
    safe_to_email: bool = False
    safe_to_leave_voicemail: bool = False
    best_times: str = _text(200)
    district: str | None = Field(
        None,
        json_schema_extra=_enum(district_codes),
        description="The GSS code of the district where the person lives. Leave it out when you give a full "
        "postcode OneDoor knows: the district is then the postcode's.",
    )
    postcode: str = Field("", max_length=20, pattern=POSTCODE)
    reported_to_police: bool
    crime_reference: str = _text(40)
    offence_group: str | None = Field(None, json_schema_extra=_enum(partial(_codes, "offence_groups.json")))
    flags: list[str] = Field([], json_schema_extra=_flag_enum)
    reason: str = Field(max_length=500, pattern=NOT_BLANK)
    risks_to_person: str = _text(500)
    risks_to_staff: str = _text(500)
    urgent: bool = False
    risk_to_life: bool = False
    consent: bool
    consent_given_by: Literal["", "person", "parent_guardian"] = ""
    consent_given_on: str | None = Field(None, pattern=DATE, description="27/3/2026 or 2026-03-27; or today.")
    lawful_basis: Literal["", "safeguarding_child", "safeguarding_adult", "vital_interests", "prevention_of_crime"] = ""
    lawful_basis_note: str = _text(500)


class EventOut(Schema):
    at: datetime
    status: str
    status_label: str
    service: str | None
    reason_code: str
    note: str


class ReferralOut(Schema):
    reference: str
    status: str
    status_label: str
    service: str | None
    reason: str
    timeline: list[EventOut]


class DecisionOut(Schema):
    reference: str | None
    primary: str | None
    secondary: list[str]
    priority: str
    reason: str
    gap: bool
    signpost: list[str]


def _form_data(payload: ReferralIn) -> dict[str, Any]:
    data = payload.dict()
    yes_no = {True: "yes", False: "no"}
    data["interpreter_needed"] = yes_no[data["interpreter_needed"]]
    data["reported_to_police"] = yes_no[data["reported_to_police"]]
    data["consent"] = "yes" if data["consent"] else ("lawful_basis" if data["lawful_basis"] else "no")
    return {k: v for k, v in data.items() if v is not None}


IDEMPOTENCY_KEY_DESCRIPTION = (
    "Optional. A unique value per referral you mean to create (a UUID, say), at most 255 printable ASCII "
    "characters. Send the same key when you retry: the same key with the same body returns the first "
    "result (and the header `Idempotent-Replayed: true`) and creates nothing; the same key with a different "
    "body answers 409. Keys belong to your account and are kept for 24 hours. A refused request (422) does "
    "not use up its key."
)
IdempotencyKey = Annotated[
    str | None,
    HeaderParam(None, alias="Idempotency-Key", description=IDEMPOTENCY_KEY_DESCRIPTION, pattern=IDEMPOTENCY_KEY),
]
REFERENCE = pattern_explained(
    r"^OD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", "A referral reference looks like OD-7K2M-9QXR."
)


class ReplayConflictOut(Schema):
    detail: str
    reference: str | None


def _invalid(errors: dict[str, list[str]]) -> Status[dict[str, Any]]:
    return Status(
        422,
        {
            "detail": "The referral has errors: "
            + "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()),
            "errors": errors,
        },
    )


def _create(request: HttpRequest, form: ReferralForm) -> tuple[int, dict[str, Any]]:
    outcome = services.referral_create(details=form.to_details(), source="professional", referrer=request.user)  # type: ignore[arg-type]
    body = outcome.decision.as_json()
    body["reference"] = outcome.referral.reference if outcome.referral else None
    return 201, body


@router.post(
    "",
    response=responses(201, DecisionOut, 401, 403, 422, extra={409: ReplayConflictOut}),
    auth=api_auth(Role.REFERRER),
    url_name="referral_create",
)
def create_referral(
    request: HttpRequest, response: HttpResponse, payload: ReferralIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    if idempotency_key is not None and not submission_key_is_valid(idempotency_key):
        return _invalid({"header.Idempotency-Key": ["Use 1 to 255 printable ASCII characters, for example a UUID."]})
    form = ReferralForm(data=_form_data(payload))
    if not form.is_valid():
        return _invalid({k: [str(m) for m in v] for k, v in form.errors.items()})
    try:
        if idempotency_key is None:
            status, body = _create(request, form)
            return Status(status, body)
        done = submission_run(
            scope=f"api:{request.user.pk}",
            key=idempotency_key,
            fingerprint=submission_fingerprint(payload.dict()),
            run=lambda: _create(request, form),
        )
    except services.ReferralRefused as exc:
        return _invalid({"consent": [str(exc)]})
    except SubmissionKeyReused as exc:
        return Status(
            409,
            {
                "detail": "This Idempotency-Key was already used with a different body. Use a new key for a "
                "new referral, or send the first body again to get its result.",
                "reference": exc.first.get("reference"),
            },
        )
    if done.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(done.status_code, done.result)


# Any signed-in role may ask; the visibility selector answers 404 to anyone who may not see the referral,
# exactly as for one that does not exist.
@router.get(
    "/{reference}",
    response=responses(200, ReferralOut, 401, 403, 404, 422),
    auth=api_auth(frozenset(Role)),
    url_name="referral_get",
)
def get_referral(
    request: HttpRequest,
    reference: Annotated[str, PathParam(pattern=REFERENCE, description="The referral's reference, like OD-7K2M-9QXR.")],
) -> dict[str, Any]:
    referral = selectors.referral_get_visible(user=request.user, reference=reference)
    services.referral_record_view(referral=referral, actor=request.user, what="api")
    events = selectors.referrer_timeline(referral=referral)
    return {
        "reference": referral.reference,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "service": referral.current_service.slug if referral.current_service else None,
        "reason": referral.routing_reason,
        "timeline": [
            {
                "at": e.at,
                "status": e.to_status,
                "status_label": e.get_to_status_display(),
                "service": e.service.slug if e.service else None,
                "reason_code": e.reason_code,
                "note": e.referrer_note,
            }
            for e in events
        ],
    }

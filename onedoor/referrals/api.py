from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.params.functions import Header as HeaderParam

from onedoor.accounts.api_auth import api_auth
from onedoor.accounts.models import Role
from onedoor.core.submissions import (
    SubmissionKeyReused,
    submission_fingerprint,
    submission_key_is_valid,
    submission_run,
)
from onedoor.referrals import selectors, services
from onedoor.referrals.forms import ReferralForm

router = Router(tags=["referrals"])


class ReferralIn(Schema):
    """The standard referral form's fields. Validation is the form's, so the API and the web page agree."""

    first_name: str
    last_name: str = ""
    date_of_birth: str | None = None
    age: int | None = None
    preferred_language: str = ""
    interpreter_needed: bool = False
    communication_needs: str = ""
    ethnicity: str | None = None
    sex: str | None = None
    gender_identity: str | None = None
    sexual_orientation: str | None = None
    disability: str | None = None
    religion: str | None = None
    phone: str = ""
    email: str = ""
    phone_is_own: bool = False
    safe_to_call: bool = False
    safe_to_text: bool = False
    safe_to_email: bool = False
    safe_to_leave_voicemail: bool = False
    best_times: str = ""
    district: str
    postcode: str = ""
    reported_to_police: bool
    crime_reference: str = ""
    offence_group: str | None = None
    flags: list[str] = []
    reason: str
    risks_to_person: str = ""
    risks_to_staff: str = ""
    urgent: bool = False
    risk_to_life: bool = False
    consent: bool
    consent_given_by: str = ""
    consent_given_on: str | None = None
    lawful_basis: str = ""
    lawful_basis_note: str = ""


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
    str | None, HeaderParam(None, alias="Idempotency-Key", description=IDEMPOTENCY_KEY_DESCRIPTION)
]


def _create(request: HttpRequest, form: ReferralForm) -> tuple[int, dict[str, Any]]:
    outcome = services.referral_create(details=form.to_details(), source="professional", referrer=request.user)  # type: ignore[arg-type]
    body = outcome.decision.as_json()
    body["reference"] = outcome.referral.reference if outcome.referral else None
    return 201, body


@router.post(
    "",
    response={201: DecisionOut, 409: dict, 422: dict},
    auth=api_auth(Role.REFERRER),
    url_name="referral_create",
)
def create_referral(
    request: HttpRequest, response: HttpResponse, payload: ReferralIn, idempotency_key: IdempotencyKey = None
) -> Status[dict[str, Any]]:
    if idempotency_key is not None and not submission_key_is_valid(idempotency_key):
        return Status(
            422, {"errors": {"Idempotency-Key": ["Use 1 to 255 printable ASCII characters, for example a UUID."]}}
        )
    form = ReferralForm(data=_form_data(payload))
    if not form.is_valid():
        return Status(422, {"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}})
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
        return Status(422, {"errors": {"consent": [str(exc)]}})
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
@router.get("/{reference}", response=ReferralOut, auth=api_auth(frozenset(Role)), url_name="referral_get")
def get_referral(request: HttpRequest, reference: str) -> dict[str, Any]:
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

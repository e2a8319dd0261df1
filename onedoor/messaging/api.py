"""GOV.UK Notify delivery receipts: POST /api/v1/messaging/notify-callback.

Notify calls this with `Authorization: Bearer <token>`, the token set for the service's callback in
Notify and in ONEDOOR_NOTIFY_CALLBACK_TOKEN here. It is a machine caller, not a OneDoor user, so the
operation authenticates the token itself rather than with `api_auth(role)`.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer
from pydantic import ConfigDict

from onedoor.core.api_schema import pattern_explained, responses
from onedoor.core.context import origin
from onedoor.messaging.services import message_record_status

router = Router(tags=["messaging"])


class NotifyCallbackAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        expected = settings.ONEDOOR_NOTIFY_CALLBACK_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return "notify"
        return None


NO_NUL = pattern_explained(r"^[^\x00]*$", "Remove the NUL character (\\u0000).")
NotifyStatus = Literal[
    "created", "sending", "pending", "delivered", "temporary-failure", "technical-failure", "permanent-failure"
]


def _scalar_extras(schema: dict[str, Any]) -> None:
    """Notify sends more fields than OneDoor reads (to, created_at, template_id …): they are accepted and
    ignored, and the schema says so. Each is a plain value."""
    schema["additionalProperties"] = {
        "anyOf": [{"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]
    }
    schema["propertyNames"] = {"pattern": NO_NUL}


class DeliveryReceipt(Schema):
    """GOV.UK Notify's delivery receipt: the fields OneDoor uses."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_scalar_extras)

    id: str = Field(max_length=100, pattern=NO_NUL, description="Notify's notification id.")
    reference: uuid.UUID | None = Field(None, description="OneDoor's message reference, which OneDoor sent.")
    status: NotifyStatus = Field(description="The delivery status, as Notify names it.")
    notification_type: Literal["sms", "email", "letter"] | None = None


@router.post(
    "/notify-callback",
    response=responses(204, None, 401, 404, 422),
    auth=NotifyCallbackAuth(),
    url_name="notify_callback",
)
def notify_callback(request: HttpRequest, payload: DeliveryReceipt) -> Status[dict[str, str] | None]:
    with origin("api", "notify-callback"):
        try:
            message = message_record_status(
                provider_id=payload.id, reference=str(payload.reference or ""), status=payload.status
            )
        except ValueError as exc:
            return Status(422, {"detail": str(exc)})
    if message is None:
        return Status(404, {"detail": "unknown notification"})
    return Status(204, None)

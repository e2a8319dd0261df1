"""GOV.UK Notify delivery receipts: POST /api/v1/messaging/notify-callback.

Notify calls this with `Authorization: Bearer <token>`, the token set for the service's callback in
Notify and in ONEDOOR_NOTIFY_CALLBACK_TOKEN here. It is a machine caller, not a OneDoor user, so the
operation authenticates the token itself rather than with `api_auth(role)`.
"""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from onedoor.core.context import origin
from onedoor.messaging.services import message_record_status

router = Router(tags=["messaging"])


class NotifyCallbackAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        expected = settings.ONEDOOR_NOTIFY_CALLBACK_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return "notify"
        return None


class DeliveryReceipt(Schema):
    id: str
    reference: str | None = None
    status: str
    notification_type: str | None = None


@router.post(
    "/notify-callback",
    response={204: None, 404: dict, 422: dict},
    auth=NotifyCallbackAuth(),
    url_name="notify_callback",
)
def notify_callback(request: HttpRequest, payload: DeliveryReceipt) -> Status[dict[str, str] | None]:
    with origin("api", "notify-callback"):
        try:
            message = message_record_status(
                provider_id=payload.id, reference=payload.reference or "", status=payload.status
            )
        except ValueError as exc:
            return Status(422, {"detail": str(exc)})
    if message is None:
        return Status(404, {"detail": "unknown notification"})
    return Status(204, None)

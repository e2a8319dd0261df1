"""The OneDoor API, /api/v1/. Deny by default: the API's default authentication admits nobody, so
every operation must name the roles it serves with `auth=api_auth(...)` (onedoor/accounts/api_auth.py).

Every error is JSON (`onedoor.core.api_schema.ErrorOut`), and every operation declares the codes it can
answer: a schema violation is 422 naming each problem, an unknown path under /api/ is 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from onedoor.accounts.api_auth import api_auth
from onedoor.core.access import public
from onedoor.core.api_schema import validation_errors
from onedoor.directory.api import router as oruk_router
from onedoor.messaging.api import router as messaging_router
from onedoor.police.api import router as police_router
from onedoor.referrals.api import router as referrals_router

api = NinjaAPI(
    title="OneDoor API",
    version="1",
    description=(
        "The OneDoor API. `/oruk/` is the public Open Referral UK (HSDS 3.0) directory feed; the referral, "
        "police-transfer and messaging operations need a bearer token (`manage.py create_api_token`). "
        'Errors are JSON: `{"detail": ..., "errors": {where: [problems]}}`.'
    ),
    urls_namespace="api",
    auth=api_auth(),  # admits nobody: each operation declares its own roles
    docs_url="/docs",
)
api.add_router("/referrals", referrals_router)
api.add_router("/oruk", oruk_router)
api.add_router("/police-transfers", police_router)
api.add_router("/messaging", messaging_router)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, validation_errors(list(exc.errors)), status=422)


@public
def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any path under /api/ that is not an operation: JSON, like the rest of the API, not an HTML page."""
    return JsonResponse({"detail": "No such API path. The operations are listed at /api/v1/openapi.json."}, status=404)

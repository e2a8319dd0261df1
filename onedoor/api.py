"""The OneDoor API, /api/v1/. Deny by default: the API's default authentication admits nobody, so
every operation must name the roles it serves with `auth=api_auth(...)` (onedoor/accounts/api_auth.py)."""

from __future__ import annotations

from ninja import NinjaAPI

from onedoor.accounts.api_auth import api_auth
from onedoor.directory.api import router as oruk_router
from onedoor.messaging.api import router as messaging_router
from onedoor.police.api import router as police_router
from onedoor.referrals.api import router as referrals_router

api = NinjaAPI(
    title="OneDoor API",
    version="1",
    urls_namespace="api",
    auth=api_auth(),  # admits nobody: each operation declares its own roles
    docs_url="/docs",
)
api.add_router("/referrals", referrals_router)
api.add_router("/oruk", oruk_router)
api.add_router("/police-transfers", police_router)
api.add_router("/messaging", messaging_router)

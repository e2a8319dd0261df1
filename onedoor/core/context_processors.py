from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def onedoor(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "service_name": "OneDoor",
        "user_role": getattr(user, "role", None) if user is not None and user.is_authenticated else None,
    }

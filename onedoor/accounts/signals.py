"""Sign-ins are audited wherever they happen (OneDoor's sign-in page, the admin's, a sign-in link)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onedoor.accounts.middleware import session_started
from onedoor.accounts.services import sign_in_failure_record, sign_in_lockout_record
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.USER_SIGNED_IN)
    if request is not None:
        session_started(request)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.USER_SIGNED_OUT)


def _typed_username(credentials: Any, request: Any) -> str:
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    return str(typed or "")


@receiver(user_login_failed)
def _failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # What was typed is not recorded, only its keyed hash: a mistyped password can land in the username box.
    sign_in_failure_record(typed_username=_typed_username(credentials, request))


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any = None, username: Any = None, **kwargs: Any) -> None:
    # axes passes the account key it counted by (onedoor.accounts.throttle.axes_username), not what was
    # typed, so the credentials axes kept on the request give the typed name to hash the same way.
    credentials = getattr(request, "axes_credentials", None)
    sign_in_lockout_record(typed_username=_typed_username(credentials, request))

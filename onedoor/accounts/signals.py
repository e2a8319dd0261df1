"""Sign-ins are audited wherever they happen (OneDoor's sign-in page, the admin's, a sign-in link)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onedoor.core.audit import audit_record


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(actor=user, action="user.signed_in")


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="user.signed_out")


@receiver(user_login_failed)
def _failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # What was typed is not recorded: a mistyped password can land in the username box.
    audit_record(actor=None, action="user.sign_in_failed")

"""Links that sign a person in, or let them choose a password, made when the email carrying them is sent
and stored nowhere (ADR 0005). The services that redeem them and the tasks that email them both use these,
so they sit below both: this module imports neither.

A sign-in link signs one person in once, for a limited time, without a password: the token is signed with
the secret key, carries the time it was made, and is bound to the account's state (last sign-in, password
and active flag). Signing in changes the last sign-in, so a used link stops working; so does any password
change or deactivation.
"""

from __future__ import annotations

import hashlib

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from onedoor.accounts.models import User
from onedoor.core.http import public_url

LINK_SALT = "onedoor.accounts.sign_in_link"


def account_state(user: User) -> str:
    last = user.last_login.isoformat() if user.last_login else ""
    return hashlib.sha256(f"{user.pk}|{user.password}|{last}|{user.is_active}".encode()).hexdigest()[:32]


def sign_in_link_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "s": account_state(user)}, salt=LINK_SALT, compress=True)


def sign_in_link_url(*, user: User) -> str:
    path = reverse("accounts:link_sign_in", args=[sign_in_link_token(user=user)])
    return public_url(path)


def password_reset_url(*, user: User) -> str:
    """A link that lets the user choose a new password, once, within PASSWORD_RESET_TIMEOUT. The address
    is the deployment's public one, never the Host header of the request that asked for it."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return public_url(path)

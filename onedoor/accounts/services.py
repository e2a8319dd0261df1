"""Accounts: users and API tokens. Every change is audited in its own transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts.models import ApiToken, Organisation, User
from onedoor.core.audit import audit_record

TOKEN_PREFIX = "od_"  # noqa: S105 - a public prefix, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "", created_by: User | None = None) -> str:
    """Create a token for `user` and return it. It is never shown again."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(secret))
    audit_record(actor=created_by, action="api_token.created", obj=token, detail={"user_id": user.pk})
    return f"{TOKEN_PREFIX}{prefix}_{secret}"


def api_token_authenticate(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX) or raw.count("_") < 2:
        return None
    prefix, _, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
        return None
    if not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    organisation: Organisation | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    created_by: User | None = None,
) -> User:
    user = User(
        username=username,
        role=role,
        organisation=organisation,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(actor=created_by, action="user.created", obj=user, detail={"role": role})
    return user


@transaction.atomic
def totp_device_create(*, user: User, key_hex: str | None = None, confirmed: bool = True) -> TOTPDevice:
    """Enrol a TOTP device. `key_hex` lets the demo set a known secret; real enrolment leaves it random."""
    TOTPDevice.objects.filter(user=user).delete()
    kwargs = {"key": key_hex} if key_hex else {}
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed, **kwargs)
    audit_record(actor=user, action="two_factor.enrolled", obj=user)
    return device

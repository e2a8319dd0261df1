"""Accounts: users and API tokens. Every change is audited in its own transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts.links import LINK_SALT, account_state
from onedoor.accounts.models import ApiToken, Organisation, Role, StatusEmails, User
from onedoor.accounts.permissions import ADMINISTRATORS_GROUP, sync_administrators_group
from onedoor.accounts.tasks import send_password_reset, send_sign_in_link
from onedoor.accounts.throttle import account_key, cool_off_minutes
from onedoor.core.audit import audit_record, audit_record_many
from onedoor.core.audit_actions import AuditAction
from onedoor.core.tasks import enqueue_on_commit

TOKEN_PREFIX = "od_"  # noqa: S105 - a public prefix, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str = "", created_by: User | None = None) -> str:
    """Create a token for `user` and return it. It is never shown again."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(secret))
    audit_record(actor=created_by, action=AuditAction.API_TOKEN_CREATED, obj=token, detail={"user_id": user.pk})
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
    role: Role,
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
    if role == Role.ADMINISTRATOR:
        user.is_staff = True  # the admin site is the administrator's workplace
    user.full_clean(exclude=["password"])
    user.save()
    if role == Role.ADMINISTRATOR:
        if not Group.objects.filter(name=ADMINISTRATORS_GROUP).exists():
            sync_administrators_group()
        user.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    audit_record(actor=created_by, action=AuditAction.USER_CREATED, obj=user, detail={"role": role})
    return user


@transaction.atomic
def totp_device_create(*, user: User, key_hex: str | None = None, confirmed: bool = True) -> TOTPDevice:
    """Enrol a TOTP device. `key_hex` lets the demo set a known secret; real enrolment leaves it random."""
    TOTPDevice.objects.filter(user=user).delete()
    kwargs = {"key": key_hex} if key_hex else {}
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed, **kwargs)
    audit_record(actor=user, action=AuditAction.TWO_FACTOR_ENROLLED, obj=user)
    return device


# -- sign-in links ------------------------------------------------------------------------------------
# A link signs one person in once, for a limited time, without a password: the token is signed with the
# secret key, carries the time it was made, and is bound to the account's state (last sign-in, password
# and active flag). Signing in changes the last sign-in, so a used link stops working; so does any
# password change or deactivation. Nothing is stored, so there is nothing to leak from the database.
# The link itself is made in onedoor.accounts.links (the tasks that email it need it too).


@transaction.atomic
def sign_in_link_redeem(*, token: str) -> User | None:
    """The user the link is for, if it is genuine, unexpired and unused; it is then used up."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=settings.ONEDOOR_SIGN_IN_LINK_SECONDS)
    except signing.BadSignature:
        return None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or not hmac.compare_digest(account_state(user), str(data.get("s", ""))):
        return None
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    audit_record(actor=user, action=AuditAction.USER_SIGNED_IN_WITH_LINK, obj=user)
    return user


@transaction.atomic
def referrer_for_email(*, email: str, organisation: Organisation | None, created_by: User | None) -> User:
    """The account for this email address, or a new referrer account without a password; the new
    referrer is emailed a sign-in link once the account's transaction commits."""
    return referrers_for_emails(emails=[email], organisation=organisation, created_by=created_by)[email.lower()]


@transaction.atomic
def referrers_for_emails(
    *, emails: Iterable[str], organisation: Organisation | None, created_by: User | None
) -> dict[str, User]:
    """`referrer_for_email` for many addresses at once (a police file's officers), keyed by the address
    in lower case: one query finds those who have accounts, and one insert makes the others. Each new
    account is checked as `user_create` checks it (its fields, and its name against existing accounts in
    one query), audited, and sent a sign-in link on commit."""
    wanted = {e.lower(): e for e in emails if e}
    found: dict[str, User] = {}
    existing = (
        User.objects.select_related("organisation")
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .order_by("pk")
    )
    for account in existing:
        found.setdefault(account.email.lower(), account)
    new: list[User] = []
    for key, email in wanted.items():
        if key in found:
            continue
        user = User(username=key[:150], role=Role.REFERRER, organisation=organisation, email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"], validate_unique=False)
        new.append(user)
    if not new:
        return found
    taken = list(User.objects.filter(username__in=[u.username for u in new]).values_list("username", flat=True))
    if taken:
        raise ValidationError({"username": [f"A user named {name} already exists." for name in taken]})
    User.objects.bulk_create(new)
    audit_record_many(action=AuditAction.USER_CREATED, entries=[(created_by, u, {"role": Role.REFERRER}) for u in new])
    for user in new:
        enqueue_on_commit(send_sign_in_link, user_id=user.pk)
        found[user.email.lower()] = user
    return found


# -- asking for a sign-in link, passwords, lockouts (ADR 0005) ---------------------------------------
# A request for a link or a reset answers the same whether or not an account matches, so these services
# return how many emails they queued for tests and callers to check, never for the page to show.


def _active_with_email(email: str) -> QuerySet[User]:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).exclude(email="").order_by("pk")


@transaction.atomic
def sign_in_link_request(*, email: str) -> int:
    """A referrer who has lost or used up their link asks for a new one. Only active referrers are sent
    one; staff sign in with a password and two-factor authentication."""
    users = list(_active_with_email(email).filter(role=Role.REFERRER))
    for user in users:
        audit_record(actor=None, action=AuditAction.USER_SIGN_IN_LINK_REQUESTED, obj=user)
        enqueue_on_commit(send_sign_in_link, user_id=user.pk, requested=True)
    return len(users)


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Email a password reset link to each active account with this address that has a password. The
    link is made when the email is sent and is stored nowhere (onedoor.accounts.tasks)."""
    users = [u for u in _active_with_email(email) if u.has_usable_password()]
    for user in users:
        audit_record(actor=None, action=AuditAction.USER_PASSWORD_RESET_REQUESTED, obj=user)
        enqueue_on_commit(send_password_reset, user_id=user.pk)
    return len(users)


@transaction.atomic
def password_reset_send(*, user: User, sent_by: User | None) -> None:
    """An administrator sends a user a link to choose a password: for a new account that has none yet, or
    instead of setting one for them. Nobody but the user ever knows the password."""
    if not user.is_active or not user.email:
        raise ValidationError("This account is inactive or has no email address, so no reset link can be sent.")
    audit_record(actor=sent_by, action=AuditAction.USER_PASSWORD_RESET_SENT, obj=user)
    enqueue_on_commit(send_password_reset, user_id=user.pk, first_password=True)


@transaction.atomic
def user_password_set(*, user: User, password: str, reason: str) -> None:
    """Set a password the user chose, from a reset link (`reason="reset"`) or while signed in
    (`reason="changed"`). The form has already validated it. Changing the password ends the user's other
    sessions (Django checks the password hash on each request) and used reset and sign-in links stop
    working. A reset also lifts a lockout of the account, since whoever reset it holds its email."""
    if reason not in {"reset", "changed"}:
        raise ValueError(f"Unknown reason {reason!r}: use 'reset' or 'changed'")
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    user.password = locked.password
    audit_record(
        actor=user,
        action=AuditAction.USER_PASSWORD_RESET if reason == "reset" else AuditAction.USER_PASSWORD_CHANGED,
        obj=user,
    )
    if reason == "reset":
        sign_in_unlock(username=user.get_username(), actor=user)


@transaction.atomic
def sign_in_unlock(*, username: str = "", address: str = "", actor: User | None = None) -> int:
    """Lift a sign-in lockout of an account (by its username) or of a client address, before the
    cool-off ends. Returns how many failure records were removed."""
    if not username and not address:
        raise ValueError("Give a username or an address to unlock")
    removed = 0
    detail: dict[str, object] = {}
    if username:
        removed += int(reset(username=account_key(username)))
        detail["account"] = account_key(username)
    if address:
        removed += int(reset(ip=address))
        detail["by_address"] = True
    if removed:
        audit_record(actor=actor, action=AuditAction.USER_SIGN_IN_UNLOCKED, detail={**detail, "records": removed})
    return removed


def sign_in_failure_record(*, typed_username: str) -> None:
    """Audit one failed password sign-in. The account is named by its keyed hash only: people type
    passwords into the username box."""
    audit_record(actor=None, action=AuditAction.USER_SIGN_IN_FAILED, detail={"account": account_key(typed_username)})


def sign_in_lockout_record(*, typed_username: str) -> None:
    """Audit a refused sign-in: the account or the address reached the failure limit."""
    audit_record(
        actor=None,
        action=AuditAction.USER_SIGN_IN_LOCKED_OUT,
        detail={"account": account_key(typed_username), "cool_off_minutes": cool_off_minutes()},
    )


def session_end_record(*, user: User, reason: str) -> None:
    """Audit a session that OneDoor ended: `idle` (no request for the idle timeout) or `expired` (the
    absolute limit since sign-in)."""
    audit_record(actor=user, action=AuditAction.USER_SESSION_ENDED, detail={"reason": reason})


# -- what the admin may do to another account (onedoor/accounts/admin.py) -----------------------------


@transaction.atomic
def user_sync_staff_access(*, user: User) -> User:
    """Staff access to the admin follows the administrator role, and nothing else: `is_staff` and the
    Administrators group are set from the role. `is_superuser` is never set by OneDoor."""
    is_admin = user.role == Role.ADMINISTRATOR
    if user.is_staff != is_admin:
        user.is_staff = is_admin
        User.objects.filter(pk=user.pk).update(is_staff=is_admin)
    if is_admin and not Group.objects.filter(name=ADMINISTRATORS_GROUP).exists():
        sync_administrators_group()
    group = Group.objects.filter(name=ADMINISTRATORS_GROUP).first()
    if group is not None:
        if is_admin:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    return user


@transaction.atomic
def api_token_revoke(*, token: ApiToken, revoked_by: User | None) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=revoked_by,
            action=AuditAction.API_TOKEN_REVOKED,
            obj=locked,
            detail={"user_id": locked.user_id, "changed": {"revoked_at": [None, locked.revoked_at.isoformat()]}},
        )
    return locked


@transaction.atomic
def user_status_emails_set(*, user: User, choice: str) -> User:
    """The user's own choice of how they hear about their referrals: an email at each milestone, or a daily
    digest. Choosing the digest starts it from now, so nothing already emailed is listed again."""
    if choice not in StatusEmails.values:
        raise ValidationError("Choose how you want to hear about your referrals.")
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = locked.status_emails
    if before != choice:
        locked.status_emails = choice
        if choice == StatusEmails.DAILY:
            locked.status_digest_sent_until = timezone.now()
        locked.save(update_fields=["status_emails", "status_digest_sent_until"])
        audit_record(
            actor=locked,
            action=AuditAction.USER_STATUS_EMAILS_CHANGED,
            obj=locked,
            detail={"from": before, "to": choice},
        )
    return locked

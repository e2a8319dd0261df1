from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from onedoor.accounts.models import User
from onedoor.accounts.services import sign_in_link_url
from onedoor.core.http import public_url
from onedoor.messaging.mail import send_staff_email


def _link_days() -> str:
    days = max(1, settings.ONEDOOR_SIGN_IN_LINK_SECONDS // 86400)
    return "one day" if days == 1 else f"{days} days"


@task()
def send_sign_in_link(*, user_id: int, requested: bool = False) -> None:
    """Email a referrer a link that signs them in once: a new referrer, or one who asked for a new link
    (`requested`). The link is made here, when the email is sent, and is stored nowhere."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    if requested:
        opening = "Someone asked for a new link to sign in to OneDoor with this email address."
        closing = "If it was not you, you can ignore this email: nobody can sign in without the link."
    else:
        opening = (
            "A OneDoor account was made for you because you referred a victim of crime for support.\n\n"
            "OneDoor tells you what happens to your referrals."
        )
        closing = "If you were not expecting this, you can ignore it."
    send_staff_email(
        to=user.email,
        subject="Your OneDoor sign-in link" if requested else "Your OneDoor account",
        body=(
            f"{opening} Sign in with this link (it works once, for {_link_days()}):\n\n"
            f"{sign_in_link_url(user=user)}\n\n"
            f"{closing}"
        ),
    )


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


@task()
def send_password_reset(*, user_id: int, first_password: bool = False) -> None:
    """Email a password reset link. It is made here, when the email is sent, and is stored nowhere. Only
    an administrator's `password_reset_send` (`first_password`) sends one to an account with no password."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not (first_password or user.has_usable_password()):
        return
    minutes = max(1, settings.PASSWORD_RESET_TIMEOUT // 60)
    send_staff_email(
        to=user.email,
        subject="Reset your OneDoor password",
        body=(
            "Someone asked to reset the password for the OneDoor account with this email address.\n\n"
            f"Choose a new password with this link (it works once, for {minutes} minutes):\n\n"
            f"{password_reset_url(user=user)}\n\n"
            "If it was not you, you can ignore this email: your password has not changed."
        ),
    )

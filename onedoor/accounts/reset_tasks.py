from __future__ import annotations

from django_tasks import task

from onedoor.accounts.models import User
from onedoor.accounts.services import password_reset_link_url
from onedoor.messaging.mail import send_staff_email


@task()
def send_password_reset_link(*, user_id: int) -> None:
    """Email a user, at an administrator's request, a link to set their own password. The link is made
    here, when the email is sent, and is stored nowhere."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    send_staff_email(
        to=user.email,
        subject="Set your OneDoor password",
        body=(
            "An administrator asked OneDoor to send you a link to set a new password for your account.\n\n"
            f"{password_reset_link_url(user=user)}\n\n"
            "The link works once. If you did not expect this, tell your administrator; your password has not "
            "changed."
        ),
    )

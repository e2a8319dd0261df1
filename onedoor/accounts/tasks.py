from __future__ import annotations

from django_tasks import task

from onedoor.accounts.models import User
from onedoor.accounts.services import sign_in_link_url
from onedoor.messaging.mail import send_staff_email


@task()
def send_sign_in_link(*, user_id: int) -> None:
    """Email a new referrer a link that signs them in once. The link is made here, when the email is
    sent, and is stored nowhere."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    send_staff_email(
        to=user.email,
        subject="Your OneDoor account",
        body=(
            "A OneDoor account was made for you because you referred a victim of crime for support.\n\n"
            "OneDoor tells you what happens to your referrals. Sign in with this link (it works once, "
            "for three days):\n\n"
            f"{sign_in_link_url(user=user)}\n\n"
            "If you were not expecting this, you can ignore it."
        ),
    )

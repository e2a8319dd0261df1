"""Email to staff users (referrers, teams). Messages to victims go through the messaging backends.

Call these from tasks only, so that nothing is sent unless the change that caused it committed.
Subjects and bodies carry references and statuses, never anything about the person referred.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage


def send_staff_email(*, to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()

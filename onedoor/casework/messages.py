"""Messages to the person about their case (their waiting-list position; the feedback link at closure),
queued through OneDoor's messaging backend inside the caller's transaction. The channel is the safest the
referral allows: a text where texting is safe, otherwise an email where email is safe, otherwise nothing,
with the reason recorded on a withheld message. Texts wait out the quiet hours."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from onedoor.core.matchkeys import contact_keys
from onedoor.messaging.models import Channel, InvalidContact, Message, MessageTemplate
from onedoor.messaging.safety import quiet_hours_end
from onedoor.messaging.services import TemplateCache, keyed_hash, message_values, messages_queue
from onedoor.referrals.models import Referral

WAITING_LIST_POSITION = "waiting-list-position"
FEEDBACK_LINK = "feedback-link"


def _language_code(preferred: str) -> str:
    """The referral records a language by name or code ("Polish", "pl"); templates are keyed by code."""
    wanted = preferred.strip().lower()
    if not wanted:
        return "en"
    for code, name in MessageTemplate.objects.values_list("language", "language_name").distinct():
        if wanted in {code.lower(), name.lower()}:
            return code
    return "en"


RESTRICTED_REASON = "Processing of this referral is restricted at the person's request (UK GDPR Article 18)."


def _channel(referral: Referral) -> tuple[str | None, str, list[str]]:
    if referral.processing_restricted:
        return None, "", [RESTRICTED_REASON]
    # Under every match key, current and previous, so a failure marked before a key rotation still counts.
    invalid = set(
        InvalidContact.objects.filter(
            contact_key__in=[k for v in (referral.phone, referral.email) if v for k in contact_keys(v)]
        ).values_list("contact_key", flat=True)
    )
    reasons: list[str] = []
    if referral.phone and referral.safe_to_text:
        if not invalid & set(contact_keys(referral.phone)):
            return Channel.SMS, referral.phone, []
        reasons.append("The phone number failed permanently before.")
    if referral.email and referral.safe_to_email:
        if not invalid & set(contact_keys(referral.email)):
            return Channel.EMAIL, referral.email, []
        reasons.append("The email address failed permanently before.")
    reasons.append("The referral says it is not safe to text or email this person.")
    return None, "", reasons


def case_message_queue(
    *, referral: Referral, kind: str, personalisation: dict[str, str], now: datetime | None = None
) -> Message:
    moment = now or timezone.now()
    channel, to, reasons = _channel(referral)
    template = TemplateCache(kind).get(channel, _language_code(referral.preferred_language)) if channel else None
    service = referral.current_service
    values = {
        "service_name": service.short_name if service else "",
        "service_phone": service.phone if service else "",
        "reference": referral.reference,
        **personalisation,
    }
    message = Message(
        **message_values(
            kind=kind,
            channel=channel,
            to=to,
            template=template,
            personalisation=values,
            person_key=keyed_hash(f"referral:{referral.reference}"),
            withheld_reasons=reasons,
            send_after=quiet_hours_end(moment) if channel == Channel.SMS else None,
            now=moment,
        )
    )
    return messages_queue(messages=[message], now=moment)[0]

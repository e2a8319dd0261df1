"""Messages to the person about their case (their waiting-list position; the feedback link at closure),
queued through OneDoor's messaging backend inside the caller's transaction. Each is worded in the person's
recorded preferred language where OneDoor has a template in it, as the police support offer is, and in
English otherwise. The channel is the safest the referral allows: a text where texting is safe, otherwise
an email where email is safe, otherwise nothing, with the reason recorded on a withheld message. Texts
wait out the quiet hours."""

from __future__ import annotations

import contextlib
import re
from datetime import datetime

import pycountry
from django.utils import timezone

from onedoor.core.matchkeys import contact_keys
from onedoor.messaging.models import Channel, InvalidContact, Message, MessageTemplate
from onedoor.messaging.safety import quiet_hours_end
from onedoor.messaging.services import TemplateCache, keyed_hash, message_values, messages_queue
from onedoor.referrals.models import Referral

WAITING_LIST_POSITION = "waiting-list-position"
FEEDBACK_LINK = "feedback-link"


# Names people write that neither ISO 639 nor the templates' own names spell that way.
LANGUAGE_ALIASES = {"punjabi": "pa", "farsi": "fa"}


def _language_code(preferred: str) -> str:
    """The template language for the person's recorded preferred language, the way the police offer picks
    one (by ISO 639-1 code), or English where OneDoor has no wording in it. The referral records a language
    by code or by name, in English or in its own words ("pl", "pl-PL", "Polish", "Polski", "Punjabi")."""
    wanted = preferred.strip().lower()
    if not wanted:
        return "en"
    names: dict[str, str] = {}
    for code, name in MessageTemplate.objects.values_list("language", "language_name").distinct():
        names[code.lower()] = code
        for part in re.split(r"[(),;/]", name.lower()):
            if part.strip():
                names.setdefault(part.strip(), code)
    candidates = [wanted, wanted.split("-")[0].split("_")[0], LANGUAGE_ALIASES.get(wanted, "")]
    with contextlib.suppress(LookupError):
        candidates.append(getattr(pycountry.languages.lookup(wanted), "alpha_2", ""))
    return next((names[c] for c in candidates if c and c in names), "en")


# The waiting-list estimate is worded in English by casework's services; here it is given in the
# template's language, worded so that no plural forms are needed. Written by the developers: like the
# templates, each needs a native speaker's review.
_WEEKS = re.compile(r"^We expect to start your support in about (\d+) weeks?\.$")
_UNKNOWN = "We cannot yet say how long the wait will be."
ESTIMATES: dict[str, tuple[str, str]] = {
    "pl": (
        "Przewidywany czas oczekiwania na rozpoczęcie wsparcia (w tygodniach): około {weeks}.",
        "Nie możemy jeszcze powiedzieć, jak długo potrwa oczekiwanie.",
    ),
    "pa": ("ਸਹਾਇਤਾ ਸ਼ੁਰੂ ਹੋਣ ਤੱਕ ਅੰਦਾਜ਼ਨ ਉਡੀਕ (ਹਫ਼ਤਿਆਂ ਵਿੱਚ): ਲਗਭਗ {weeks}।", "ਅਸੀਂ ਅਜੇ ਨਹੀਂ ਦੱਸ ਸਕਦੇ ਕਿ ਉਡੀਕ ਕਿੰਨੀ ਲੰਬੀ ਹੋਵੇਗੀ।"),
    "gu": ("સહાય શરૂ થાય ત્યાં સુધીની અંદાજિત રાહ (અઠવાડિયામાં): આશરે {weeks}.", "રાહ કેટલી લાંબી હશે તે અમે હજી કહી શકતા નથી."),
    "ur": (
        "مدد شروع ہونے تک متوقع انتظار (ہفتوں میں): تقریباً {weeks}۔",  # noqa: RUF001 (the Urdu full stop)
        "ہم ابھی نہیں بتا سکتے کہ انتظار کتنا لمبا ہو گا۔",  # noqa: RUF001 (the Urdu full stop)
    ),
    "ro": (
        "Așteptarea estimată până la începerea sprijinului (în săptămâni): aproximativ {weeks}.",
        "Nu putem spune încă cât va dura așteptarea.",
    ),
    "pt": (
        "Espera prevista até ao início do apoio (em semanas): cerca de {weeks}.",
        "Ainda não podemos dizer quanto tempo vai durar a espera.",
    ),
}


def _in_language(values: dict[str, str], language: str) -> dict[str, str]:
    """The personalisation with its English sentences (the waiting-list estimate) in `language`."""
    wording = ESTIMATES.get(language)
    estimate = values.get("estimate")
    if wording is None or estimate is None:
        return values
    if (found := _WEEKS.match(estimate)) is not None:
        return {**values, "estimate": wording[0].format(weeks=found.group(1))}
    if estimate == _UNKNOWN:
        return {**values, "estimate": wording[1]}
    return values


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
    if template is not None:
        values = _in_language(values, template.language)
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

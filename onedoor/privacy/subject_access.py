"""Subject access (UK GDPR Article 15): find one person's records across OneDoor, and put together what is
held about them, where it came from, why, on what basis, who it went to, how long it is kept, and who has
seen or changed it. Every search and every export writes an audit row naming what was found (ids, kinds
and counts), never the terms searched for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from onedoor.accounts.models import User
from onedoor.core.audit import audit_history, audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import normalise_email, normalise_name, valid_phone_e164
from onedoor.core.matchkeys import contact_keys, keyed_hash, keyed_hashes
from onedoor.directory.models import Feedback
from onedoor.messaging.models import Message
from onedoor.police.models import PoliceVictimRecord
from onedoor.privacy.anonymise import REFERRAL_PERSONAL
from onedoor.privacy.retention import schedule
from onedoor.privacy.selectors import organisation_id, referrals_for_officer, require_officer, sees_everything
from onedoor.privacy.services import PrivacyError
from onedoor.referrals.models import (
    ChildBasis,
    ConsentGivenBy,
    LawfulBasis,
    Referral,
    Source,
    SpecialCategoryCondition,
)

_REFERENCE = re.compile(r"^OD-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@dataclass(frozen=True)
class SearchTerms:
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    email: str = ""
    reference: str = ""

    def checked(self) -> SearchTerms:
        """The terms, normalised; PrivacyError saying what to fix when they cannot find anyone safely."""
        has_name = bool(self.first_name.strip() or self.last_name.strip())
        if has_name and self.date_of_birth is None:
            raise PrivacyError("Give the date of birth with the name: a name alone could be anyone's.")
        if self.date_of_birth is not None and not self.last_name.strip():
            raise PrivacyError("Give the person's last name (and first name) with the date of birth.")
        phone = ""
        if self.phone.strip():
            found = valid_phone_e164(self.phone.strip())
            if found is None:
                raise PrivacyError("The phone number is not a valid number: check it, or leave it empty.")
            phone = found
        email = ""
        if self.email.strip():
            found_email = normalise_email(self.email.strip())
            if found_email is None:
                raise PrivacyError("The email address is not valid: check it, or leave it empty.")
            email = found_email
        reference = self.reference.strip().upper()
        if reference and not _REFERENCE.match(reference):
            raise PrivacyError("A OneDoor reference looks like OD-ABCD-1234.")
        if not (has_name or phone or email or reference):
            raise PrivacyError("Search by name with date of birth, a phone number, an email address or a reference.")
        return SearchTerms(
            first_name=self.first_name.strip(),
            last_name=self.last_name.strip(),
            date_of_birth=self.date_of_birth,
            phone=phone,
            email=email,
            reference=reference,
        )

    def person_hashes(self) -> list[str]:
        if self.date_of_birth is None:
            return []
        return keyed_hashes(
            f"{normalise_name(self.first_name)}|{normalise_name(self.last_name)}|{self.date_of_birth.isoformat()}"
        )


@dataclass
class Found:
    referrals: list[Referral] = field(default_factory=list)
    police_records: list[PoliceVictimRecord] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "referrals": [r.pk for r in self.referrals],
            "police_records": [r.pk for r in self.police_records],
            "messages": [m.pk for m in self.messages],
            "feedback": [f.pk for f in self.feedback],
        }


def _referrals(officer: User, t: SearchTerms) -> QuerySet[Referral]:
    match = Q(pk__in=[])
    if t.reference:
        match |= Q(reference=t.reference)
    if t.date_of_birth is not None:
        match |= Q(date_of_birth=t.date_of_birth, last_name__iexact=t.last_name)
    if t.phone:
        match |= Q(phone=t.phone)
    if t.email:
        match |= Q(email__iexact=t.email)
    qs = referrals_for_officer(officer=officer).filter(match)
    if t.date_of_birth is not None and t.first_name:
        wanted = normalise_name(t.first_name)
        # The first name is compared as the matching keys compare it (accents and case aside).
        ids = [r.pk for r in qs if r.date_of_birth != t.date_of_birth or normalise_name(r.first_name) == wanted]
        qs = Referral.objects.filter(pk__in=ids)
    return qs.select_related("current_service", "district", "offence_group").order_by("received_on", "id")


def subject_search(*, officer: User, terms: SearchTerms) -> Found:
    """Everything held about the person the terms describe that this officer answers for. Audited."""
    require_officer(officer)
    t = terms.checked()
    found = Found(referrals=list(_referrals(officer, t)))
    referral_ids = [r.pk for r in found.referrals]
    record_match = Q(referral_id__in=referral_ids)
    if sees_everything(officer):
        if t.person_hashes():
            record_match |= Q(person_key__in=t.person_hashes())
        if t.phone:
            record_match |= Q(phone_key__in=contact_keys(t.phone))
        if t.email:
            record_match |= Q(email_key__in=contact_keys(t.email))
    found.police_records = list(PoliceVictimRecord.objects.filter(record_match).select_related("offence_group"))
    case_keys = [keyed_hash(f"referral:{r.reference}") for r in found.referrals]
    message_match = Q(person_key__in=case_keys) | Q(police_record__in=[r.pk for r in found.police_records])
    if sees_everything(officer):
        message_match |= Q(person_key__in=t.person_hashes())
        for value in (t.phone, t.email):
            if value:
                message_match |= Q(contact_key__in=contact_keys(value))
    found.messages = list(Message.objects.filter(message_match).order_by("created_at", "id"))
    feedback = Feedback.objects.filter(wants_contact=True)
    if not sees_everything(officer):
        feedback = feedback.filter(service__organisation_id=organisation_id(officer))
    contact = Q(pk__in=[])
    for value in (t.phone, t.email):
        if value:
            contact |= Q(contact_detail__iexact=value)
    found.feedback = list(feedback.filter(contact))
    audit_record(actor=officer, action=AuditAction.SUBJECT_SEARCHED, detail=found.summary())
    return found


# -- the pack ------------------------------------------------------------------------------------------

PURPOSES: dict[str, str] = {
    Source.POLICE_TRANSFER: "The police sent your details so that a support service could offer you help "
    "(Victims' Code, Right 4: to be referred to services that support victims).",
    Source.PROFESSIONAL: "A professional referred you so that a support service could help you.",
    Source.SELF: "You asked a support service for help through OneDoor.",
}
FREE_TEXT = ("reason", "risks_to_person", "risks_to_staff", "communication_needs", "best_times", "lawful_basis_note")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")


def _possible_names(text: str, own: set[str]) -> list[str]:
    words = []
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        sentence_start = start == 0 or text[:start].rstrip().endswith((".", "!", "?", ":"))
        word = match.group(0)
        if not sentence_start and normalise_name(word) not in own:
            words.append(word)
    return sorted(set(words))


def _retention_text() -> dict[str, str]:
    return {rule.kind: rule.describe() for rule in schedule()}


def _referral_entry(referral: Referral, retention: dict[str, str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    fields = {name: getattr(referral, name) for name in REFERRAL_PERSONAL}
    fields.update(
        {
            "preferred_language": referral.preferred_language,
            "interpreter_needed": referral.interpreter_needed,
            "age_at_referral": referral.age_at_referral,
            "district": referral.district.name if referral.district else "",
            "offence_group": referral.offence_group.name if referral.offence_group else "",
            "flags": sorted(f.name for f in referral.flags.all()),
            "needs": sorted(n.name for n in referral.needs.all()),
            "safe_to_call": referral.safe_to_call,
            "safe_to_text": referral.safe_to_text,
            "safe_to_email": referral.safe_to_email,
            **{
                c: (getattr(referral, c).label if getattr(referral, c) else "")
                for c in ("ethnicity", "sex", "gender_identity", "sexual_orientation", "disability", "religion")
            },
        }
    )
    recipients = sorted(
        {a.service.name for a in referral.allocations.select_related("service")}
        | {s.name for s in referral.secondary_services.all()}
        | {j.partner_service.name for j in referral.joint_working.select_related("partner_service")}
        | {o.to_service.name for o in referral.onward_referrals.select_related("to_service")}
    )
    case: dict[str, Any] = {
        "status": referral.get_status_display(),
        "timeline": [
            {"at": e.at, "status": e.get_to_status_display(), "service": e.service.name if e.service else ""}
            for e in referral.events.select_related("service")
        ],
        "contact_attempts": [
            {"at": c.at, "channel": c.get_channel_display(), "outcome": c.get_outcome_display(), "note": c.note}
            for c in referral.contact_attempts.all()
        ],
        "assessments": [
            {"at": a.assessed_at, "risk_to_self": a.risk_to_self, "safeguarding_concern": a.safeguarding_concern}
            for a in referral.assessments.all()
        ],
        "measures": [
            {"measure": m.measure, "on": m.administered_on, "total": m.total, "band": m.band}
            for m in referral.measures.all()
        ],
        "closures": [{"reason": c.get_reason_display()} for c in referral.closures.all()],
    }
    entry = {
        "kind": "referral",
        "reference": referral.reference,
        "source": referral.get_source_display(),
        "received_on": referral.received_on,
        "held_by": referral.current_service.name if referral.current_service else "",
        "purpose": PURPOSES.get(referral.source, ""),
        "lawful_basis": (
            "Consent, given by " + ConsentGivenBy(referral.consent_given_by).label.lower()
            if referral.consent_given and referral.consent_given_by
            else ""
        )
        + ("; " if referral.consent_given and referral.lawful_basis else "")
        + (LawfulBasis(referral.lawful_basis).label if referral.lawful_basis else ""),
        "special_category_condition": SpecialCategoryCondition(referral.special_category_condition).label,
        "child_basis": ChildBasis(referral.child_basis).label if referral.child_basis else "",
        "recipients": recipients,
        "retention": [retention["closed_referral"], retention["case_casework"]],
        "processing_restricted": referral.processing_restricted,
        "anonymised": referral.anonymised_at is not None,
        "details": fields,
        "case": case,
    }
    own = {normalise_name(referral.first_name), normalise_name(referral.last_name)} - {""}
    flags: list[dict[str, Any]] = []
    texts = [(name, str(getattr(referral, name))) for name in FREE_TEXT]
    texts += [(f"contact_attempts[{i}].note", c["note"]) for i, c in enumerate(case["contact_attempts"])]
    for name, text in texts:
        if text:
            flags.append(
                {
                    "record": referral.reference,
                    "field": name,
                    "why": "Free text written by staff or a referrer: it may name other people. Check it and "
                    "redact anyone else's details before release.",
                    "possible_names": _possible_names(text, own),
                }
            )
    if referral.referrer_id is not None or referral.referrer_organisation:
        flags.append(
            {
                "record": referral.reference,
                "field": "referrer",
                "why": "The referrer is a third party: give their organisation, and their name only if policy allows.",
                "possible_names": [],
            }
        )
    return entry, flags


def _police_entry(record: PoliceVictimRecord, retention: dict[str, str]) -> dict[str, Any]:
    kind = "police_record_with_referral" if record.referral_id else "police_record_without_referral"
    return {
        "kind": "police_record",
        "source": "Sent by the police in their overnight transfer of crime reports",
        "crime_reference": record.crime_reference,
        "recorded_at": record.recorded_at,
        "purpose": PURPOSES[Source.POLICE_TRANSFER],
        "lawful_basis": "Shared by the police under the data-sharing agreement with the commissioner "
        "(docs/data-protection.md); consent to share with a support service: "
        + ("yes" if record.consent_to_share else "no"),
        "retention": [retention[kind]],
        "details": {
            "first_name": record.first_name,
            "last_name": record.last_name,
            "date_of_birth": record.date_of_birth,
            "postcode": record.postcode,
            "phone": record.phone,
            "email": record.email,
            "offence_group": record.offence_group.name,
            "offence_description": record.offence_description,
        },
        "anonymised": record.anonymised_at is not None,
    }


def subject_export(*, officer: User, terms: SearchTerms) -> dict[str, Any]:
    """The person's data as one document (what the JSON file holds and the HTML pack shows). Audited."""
    found = subject_search(officer=officer, terms=terms)
    retention = _retention_text()
    records: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    for referral in found.referrals:
        entry, entry_flags = _referral_entry(referral, retention)
        records.append(entry)
        flags += entry_flags
    for record in found.police_records:
        records.append(_police_entry(record, retention))
        if record.officer_email:
            flags.append(
                {
                    "record": record.crime_reference,
                    "field": "officer_email",
                    "why": "The police officer's address is a third party's: leave it out.",
                    "possible_names": [],
                }
            )
        if record.offence_description:
            flags.append(
                {
                    "record": record.crime_reference,
                    "field": "offence_description",
                    "why": "The police description of the crime may name other people: check it before release.",
                    "possible_names": _possible_names(
                        record.offence_description,
                        {normalise_name(record.first_name), normalise_name(record.last_name)},
                    ),
                }
            )
    for message in found.messages:
        records.append(
            {
                "kind": "message",
                "source": "Sent (or withheld) by OneDoor",
                "message_kind": message.kind,
                "channel": message.get_channel_display() if message.channel else "",
                "to": message.to,
                "status": message.get_status_display(),
                "created_at": message.created_at,
                "retention": [retention["support_offer_message"]] if message.kind == "support-offer" else [],
            }
        )
    for item in found.feedback:
        records.append(
            {
                "kind": "feedback",
                "source": "Feedback you gave, with your contact details because you asked to be contacted",
                "received_on": item.received_on,
                "contact_name": item.contact_name,
                "contact_detail": item.contact_detail,
                "could_be_better": item.could_be_better,
                "retention": [retention["feedback"]],
            }
        )
        if item.could_be_better:
            flags.append(
                {
                    "record": f"feedback {item.pk}",
                    "field": "could_be_better",
                    "why": "Free text: it may name other people (staff, say). Check it before release.",
                    "possible_names": _possible_names(item.could_be_better, set()),
                }
            )
    objects = [("referrals.referral", str(r.pk)) for r in found.referrals]
    objects += [("police.policevictimrecord", str(r.pk)) for r in found.police_records]
    document = {
        "generated_at": timezone.now(),
        "generated_by_organisation": officer.organisation.name if officer.organisation else "",
        "scope": "every record in OneDoor" if sees_everything(officer) else "records of this organisation's services",
        "records": records,
        "audit": audit_history(objects=objects),
        "third_party_review": flags,
    }
    audit_record(
        actor=officer,
        action=AuditAction.SUBJECT_EXPORTED,
        detail={**found.summary(), "third_party_flags": len(flags)},
    )
    return document


def subject_referral_view(*, officer: User, referral: Referral) -> None:
    """The officer opened one referral's page of rights (it shows the person's details): audited, as every
    view of a case is."""
    require_officer(officer)
    audit_record(actor=officer, action=AuditAction.SUBJECT_REFERRAL_VIEWED, obj=referral)

"""Re-keying the matching hashes after a match key rotation (ADR 0026).

With `ONEDOOR_MATCH_KEYS=new,old`, OneDoor hashes with `new` and still matches rows stored under `old`.
`rekey_hashes` rewrites every stored hash made under a previous key to the current key's, so that the
old key can then be dropped from the setting. It learns the old-to-new mapping from the values OneDoor
still holds in clear (police records' names, dates of birth and contacts; referrals' references, names and
contacts; messages' addresses), then rewrites the police records' keys, the messages' keys, the invalid
contacts and the restricted keys. A hash whose value is no longer held anywhere (an anonymised or deleted
record's) cannot be re-keyed: it was only useful for matching that record, and it stops matching once
the old key is dropped. Safe to run twice: a second run finds nothing left to rewrite.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model

from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.contact import normalise_name
from onedoor.core.matchkeys import keyed_hashes, rotating
from onedoor.messaging.models import InvalidContact, Message, RestrictedKey
from onedoor.police.models import PoliceVictimRecord
from onedoor.referrals.models import Referral

BATCH = 2000


def _person(first: str, last: str, dob: Any) -> str:
    return f"{normalise_name(first)}|{normalise_name(last)}|{dob.isoformat()}" if dob else ""


def _mapping() -> dict[str, str]:
    """Every previous-key hash of a value OneDoor holds, to the current key's hash of the same value."""
    mapping: dict[str, str] = {}

    def learn(values: Iterable[str]) -> None:
        for value in values:
            hashes = keyed_hashes(value)
            for old in hashes[1:]:
                mapping[old] = hashes[0]

    for first, last, dob, phone, email in PoliceVictimRecord.objects.values_list(
        "first_name", "last_name", "date_of_birth", "phone", "email"
    ).iterator(chunk_size=BATCH):
        learn([_person(first, last, dob), phone.strip().lower(), email.strip().lower()])
    for reference, first, last, dob, phone, email in Referral.objects.values_list(
        "reference", "first_name", "last_name", "date_of_birth", "phone", "email"
    ).iterator(chunk_size=BATCH):
        learn([f"referral:{reference}", _person(first, last, dob), phone.strip().lower(), email.strip().lower()])
    for (to,) in Message.objects.exclude(to="").values_list("to").iterator(chunk_size=BATCH):
        learn([to.strip().lower()])
    return mapping


def _rewrite(model: type[Model], fields: tuple[str, ...], mapping: dict[str, str]) -> int:
    changed: list[Any] = []
    total = 0
    for obj in model._default_manager.only("pk", *fields).iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            new = mapping.get(getattr(obj, name))
            if new is not None:
                setattr(obj, name, new)
                dirty = True
        if dirty:
            changed.append(obj)
        if len(changed) >= BATCH:
            model._default_manager.bulk_update(changed, list(fields))
            total += len(changed)
            changed = []
    if changed:
        model._default_manager.bulk_update(changed, list(fields))
        total += len(changed)
    return total


def rekey_hashes() -> dict[str, int]:
    """Rewrite the stored hashes made under previous match keys; returns the counts by table."""
    counts = {"police_records": 0, "messages": 0, "invalid_contacts": 0, "restricted_keys": 0}
    if not rotating():
        return counts
    with transaction.atomic():
        mapping = _mapping()
        counts["police_records"] = _rewrite(PoliceVictimRecord, ("person_key", "phone_key", "email_key"), mapping)
        counts["messages"] = _rewrite(Message, ("person_key", "contact_key"), mapping)
        for row in InvalidContact.objects.select_for_update().filter(contact_key__in=list(mapping)):
            new = mapping[row.contact_key]
            if InvalidContact.objects.filter(contact_key=new).exists():
                row.delete()  # already marked under the current key
            else:
                row.contact_key = new
                row.save(update_fields=["contact_key"])
            counts["invalid_contacts"] += 1
        for rk in RestrictedKey.objects.select_for_update().filter(key__in=list(mapping)):
            new = mapping[rk.key]
            if RestrictedKey.objects.filter(key=new, restriction_id=rk.restriction_id).exists():
                rk.delete()
            else:
                rk.key = new
                rk.save(update_fields=["key"])
            counts["restricted_keys"] += 1
        audit_record(actor=None, action=AuditAction.MATCH_KEYS_REKEYED, detail=counts)
    return counts

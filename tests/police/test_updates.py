"""A file that changes records already held: the load phase writes changed records with one COPY and one
UPDATE per chunk (`fastcopy.update_values`), audits each, and gives referrals their new contact details.
Changed fields land; unchanged rows are left as they were; the audit rows name what changed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.core import fastcopy
from onedoor.core.models import AuditEvent, OffenceGroup
from onedoor.messaging.models import MessageStatus
from onedoor.police.load import RECORD_FIELDS
from onedoor.police.models import PoliceVictimRecord
from tests.police.helpers import NOON, row, run, wipe_imports

pytestmark = pytest.mark.django_db

# The values a record holds for its row, without identity, times, outcome or bookkeeping.
HELD = (*RECORD_FIELDS, "person_key", "phone_key", "email_key", "row_hash", "line")


def _people(n: int) -> list[dict[str, str]]:
    return [
        row(
            crime_reference=f"23/{i:07d}/26",
            first_name=f"Person{i}",
            phone=f"07700 9{i:05d}",
            email=f"person{i}@example.org",
            consent_to_share="Y" if i % 2 else "N",
        )
        for i in range(n)
    ]


def test_changed_fields_land_unchanged_rows_are_untouched_and_each_change_is_audited() -> None:
    first = _people(12)
    run(first)
    before = {
        r.crime_reference: r
        for r in PoliceVictimRecord.objects.select_related("referral", "offer").order_by("crime_reference")
    }
    audits_before = AuditEvent.objects.count()

    second = [dict(r) for r in first]
    second[1]["phone"] = "07700 800001"  # a contact change, on a record with a referral (odd: consent Y)
    second[2]["offence_description"] = "Shed door forced"  # not a contact detail, no referral
    second[3]["postcode"] = "CV21 2AA"  # not a contact detail, with a referral
    second[5]["email"] = "new5@example.org"
    second[5]["safe_to_text"] = "N"
    later = NOON + timedelta(days=1)
    batch = run(second, now=later)

    assert (batch.created, batch.updated, batch.unchanged) == (0, 4, 8)
    after = {r.crime_reference: r for r in PoliceVictimRecord.objects.select_related("referral")}
    changed = {f"23/{i:07d}/26" for i in (1, 2, 3, 5)}
    for crime, rec in after.items():
        old = before[crime]
        assert rec.last_seen_batch_id == batch.pk
        if crime not in changed:
            # Untouched but for having been seen in this file.
            assert (rec.updated_at, rec.last_batch_id, rec.row_hash, rec.processed_at) == (
                old.updated_at,
                old.last_batch_id,
                old.row_hash,
                old.processed_at,
            )
            continue
        assert rec.last_batch_id == batch.pk
        assert rec.updated_at == later
        assert rec.row_hash != old.row_hash
    assert after["23/0000001/26"].phone == "+447700800001"
    assert after["23/0000001/26"].phone_key != before["23/0000001/26"].phone_key
    assert after["23/0000002/26"].offence_description == "Shed door forced"
    assert after["23/0000003/26"].postcode == "CV21 2AA"
    assert after["23/0000005/26"].email == "new5@example.org"
    assert after["23/0000005/26"].safe_to_text == "N"

    # One audit row per changed record, naming the fields that changed and no personal value.
    updated = {
        a.object_id: a.detail["fields"]
        for a in AuditEvent.objects.filter(action="police_record.updated", id__gt=0).order_by("id")
    }
    assert updated == {
        str(after["23/0000001/26"].pk): ["phone"],
        str(after["23/0000002/26"].pk): ["offence_description"],
        str(after["23/0000003/26"].pk): ["postcode"],
        str(after["23/0000005/26"].pk): ["email", "safe_to_text"],
    }
    assert all(a.detail["batch"] == batch.pk for a in AuditEvent.objects.filter(action="police_record.updated"))
    # The referrals of records whose contact details changed get them, audited; the others are untouched.
    for i in (1, 5):
        referral = after[f"23/{i:07d}/26"].referral
        assert referral is not None
        assert (referral.phone, referral.email, referral.safe_to_text) == (
            after[f"23/{i:07d}/26"].phone,
            after[f"23/{i:07d}/26"].email,
            after[f"23/{i:07d}/26"].safe_to_text == "Y",
        )
    contact_audits = set(
        AuditEvent.objects.filter(action="referral.contact_updated").values_list("object_id", flat=True)
    )
    assert contact_audits == {str(after[f"23/{i:07d}/26"].referral_id) for i in (1, 5)}
    referral3, old3 = after["23/0000003/26"].referral, before["23/0000003/26"].referral
    assert referral3 is not None and old3 is not None
    assert referral3.updated_at == old3.updated_at
    assert AuditEvent.objects.count() > audits_before


def test_a_changed_record_is_offered_again_only_without_a_referral_and_a_sent_offer() -> None:
    run(_people(4))
    held = {r.crime_reference: r for r in PoliceVictimRecord.objects.select_related("offer")}
    second = _people(4)
    for r in second:
        r["offence_description"] = "Updated by the officer"
    run(second, now=NOON + timedelta(days=1))
    for crime, rec in ((r.crime_reference, r) for r in PoliceVictimRecord.objects.all()):
        old = held[crime]
        kept = old.referral_id is not None and old.offer is not None and old.offer.status != MessageStatus.WITHHELD
        assert rec.processed_at is not None  # every record ends processed
        if kept:
            assert (rec.processed_at, rec.offer_id, rec.referral_id) == (
                old.processed_at,
                old.offer_id,
                old.referral_id,
            )
        else:
            assert old.processed_at is not None
            assert rec.processed_at > old.processed_at  # routed and offered again with what is now known


def test_an_update_costs_the_same_statements_for_two_changed_rows_as_for_thirty() -> None:
    def changed_file(n_changed: int) -> list[dict[str, str]]:
        rows = _people(40)
        for i, r in enumerate(rows[:n_changed]):
            r["offence_description"] = f"changed {n_changed}"
            r["phone"] = f"07700 8{i:05d}"  # records with a referral among them (consent Y on odd rows)
        return rows

    run(_people(40))
    counts = []
    for n in (2, 30):
        with CaptureQueriesContext(connection) as ctx:
            run(changed_file(n), now=NOON + timedelta(days=n))
        counts.append(len(ctx.captured_queries))
        wipe_imports()
        run(_people(40))
    # Writing 30 changed records (with their audit rows and contact updates) takes the statements two take.
    assert counts[1] == counts[0], counts


# -- fastcopy.update_values against Django's own bulk_update, on whichever database the tests run --------

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
changes = st.fixed_dictionaries(
    {
        "offence_description": texts,
        "flags": st.lists(st.sampled_from(["hate", "vulnerable", "domestic-abuse"]), unique=True, max_size=3),
        "first_name": texts.filter(bool),
        "date_of_birth": st.none() | st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31)),
        "recorded_at": st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2026, 1, 1)).map(
            lambda d: d.replace(microsecond=0, tzinfo=NOON.tzinfo)
        ),
        "consent_to_share": st.booleans(),
        "safe_to_text": st.sampled_from(["Y", "N", ""]),
        "processed_at": st.none() | st.just(NOON),
        "line": st.integers(min_value=0, max_value=2**31 - 1),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=0, max_value=5), changes), min_size=1, max_size=6))
def test_update_values_writes_what_bulk_update_writes(edits: list[tuple[int, dict[str, Any]]]) -> None:
    wipe_imports()
    run(_people(6))
    ids = list(PoliceVictimRecord.objects.order_by("id").values_list("id", flat=True))
    group = OffenceGroup.objects.order_by("pk").last()
    assert group is not None
    columns = [*edits[0][1], "offence_group_id"]
    last: dict[int, dict[str, Any]] = {}
    for at, values in edits:
        last[ids[at]] = {**values, "offence_group_id": group.pk}  # one row per record, the last edit winning
    untouched = {pk: _row(pk, columns) for pk in ids if pk not in last}

    written = fastcopy.update_values(
        PoliceVictimRecord, columns, [[pk, *(v[c] for c in columns)] for pk, v in sorted(last.items())]
    )
    by_copy = {pk: _row(pk, columns) for pk in ids}

    objs = list(PoliceVictimRecord.objects.filter(pk__in=last))
    for obj in objs:
        for c, value in last[obj.pk].items():
            setattr(obj, c, value)
    PoliceVictimRecord.objects.bulk_update(objs, columns)
    by_django = {pk: _row(pk, columns) for pk in ids}

    assert written == len(last)
    assert by_copy == by_django
    assert {pk: by_copy[pk] for pk in untouched} == untouched


def _row(pk: int, columns: list[str]) -> tuple[Any, ...]:
    values: tuple[Any, ...] = PoliceVictimRecord.objects.filter(pk=pk).values_list(*columns).get()
    return values


def test_update_values_refuses_a_column_the_model_does_not_have() -> None:
    with pytest.raises(ValueError, match="no updatable columns"):
        fastcopy.update_values(PoliceVictimRecord, ["id"], [[1, 1]])
    with pytest.raises(ValueError, match="no updatable columns"):
        fastcopy.update_values(PoliceVictimRecord, ["nonsense"], [[1, 1]])

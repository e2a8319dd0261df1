"""The batch's outcome ledger: every routed victim counted under one referral outcome and one offer
outcome, each withheld offer under every rule that stopped it, written as the chunks are, and shown on the
batch page in plain words."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onedoor.accounts.models import Role, User
from onedoor.messaging.models import MessageStatus
from onedoor.messaging.safety import REASON_LABELS, Reason
from onedoor.police.ledger import RecordOutcome, batch_outcomes, ledger_chunk_add, ledger_counts, outcome_kind
from onedoor.police.models import OutcomeKind, PoliceBatch, PoliceBatchOutcome, PoliceVictimRecord
from tests.police.helpers import row, run, wipe_imports

pytestmark = pytest.mark.django_db


def _mixed_file() -> list[dict[str, str]]:
    return [
        row(victim_reference="V1"),  # burglary, consent: referred, offer by text
        row(
            crime_reference="23/0000002/26",
            first_name="Bo",
            flags="domestic-abuse",
            phone="07700 900100",
            email="a@example.org",
        ),  # signposted (commissioned elsewhere)
        row(
            crime_reference="23/0000003/26",
            first_name="Cy",
            consent_to_share="N",
            phone="07700 900200",
            email="b@example.org",
        ),
        row(
            crime_reference="23/0000004/26",
            first_name="Di",
            offence_group="shoplifting",
            phone="07700 900300",
            email="c@example.org",
        ),
        row(
            crime_reference="23/0000005/26",
            first_name="Ed",
            contact_permitted="N",
            phone="07700 900400",
            email="d@example.org",
        ),
        # The same phone number for two different people in one crime: both need review.
        row(crime_reference="23/0000006/26", victim_reference="V1", first_name="Sam", phone="07700 900500", email=""),
        row(crime_reference="23/0000006/26", victim_reference="V2", first_name="Jo", phone="07700 900500", email=""),
        row(crime_reference="23/0000007/26", date_of_birth="not a date"),  # an error: not imported
    ]


def test_the_ledger_counts_each_outcome_of_a_mixed_file() -> None:
    batch = run(_mixed_file())
    got = {(o.kind, o.reason): o.count for o in PoliceBatchOutcome.objects.filter(batch=batch)}
    # V1, the one who may not be contacted, and the shared pair (referred without their contact details).
    assert got[(OutcomeKind.REFERRED, "")] == batch.referrals == 4
    assert got[(OutcomeKind.SIGNPOSTED, "")] == 1
    assert got[(OutcomeKind.NO_CONSENT, "")] == 1
    assert got[(OutcomeKind.OFFER_ONLY, "")] == 1
    assert (OutcomeKind.REFERRED, "") in got and (OutcomeKind.GAP, "") not in got
    # V1, the signposted one (explicit yes to contact), the no-consent one and the offer-only one got offers.
    assert got[(OutcomeKind.OFFERED, "")] == batch.messages_queued == 4
    assert got[(OutcomeKind.WITHHELD, "")] == batch.messages_withheld == 3
    assert got[(OutcomeKind.WITHHELD_REASON, Reason.CONTACT_NOT_PERMITTED)] == 1
    assert got[(OutcomeKind.WITHHELD_REASON, Reason.SHARED_CONTACT_IN_CRIME)] == 2
    assert got[(OutcomeKind.NEEDS_REVIEW, "")] == 2
    # One referral outcome per routed record, however the file was chunked.
    referral_kinds = {k for k in OutcomeKind if k not in {"offered", "withheld", "withheld_reason", "needs_review"}}
    assert sum(n for (k, _), n in got.items() if k in referral_kinds) == batch.processed == 7


def test_counts_add_across_chunks_and_files() -> None:
    rows = [
        row(
            crime_reference=f"23/{n:07d}/26",
            first_name=f"Person{n}",
            phone=f"07700 9{n:05d}",
            email=f"p{n}@example.org",
            consent_to_share="N" if n % 3 else "Y",
        )
        for n in range(1, 8)
    ]
    batch = run(rows, chunk_size=2)
    outcomes = batch_outcomes(batch)
    assert outcomes.routed == 7
    assert outcomes.referred[0].count == 2 and outcomes.not_referred_total == 5
    # The same file again changes nothing, and this batch's ledger stays as it was.
    again = run(rows, chunk_size=2)
    assert not PoliceBatchOutcome.objects.filter(batch=again).exists()
    assert batch_outcomes(batch).routed == 7
    # A changed victim moves on to the later batch, which counts it as already referred; the first batch
    # still says what it did.
    changed = run([{**rows[2], "offence_description": "Side door forced"}])
    assert {(o.kind, o.count) for o in changed.outcomes.all() if o.kind != OutcomeKind.WITHHELD_REASON} == {
        (OutcomeKind.ALREADY_REFERRED, 1),
        (OutcomeKind.WITHHELD, 1),
    }
    assert batch_outcomes(batch).referred[0].count == 2


def test_the_upsert_adds_to_what_is_there() -> None:
    batch = run([row()])
    o = RecordOutcome(
        referred=False,
        routed_now=False,
        signposted=False,
        gap=False,
        restricted=False,
        needs_review=False,
        withheld_reasons=(Reason.UNDER_16,),
    )
    ledger_chunk_add(batch_id=batch.pk, outcomes=[o, o])
    ledger_chunk_add(batch_id=batch.pk, outcomes=[o])
    got = {(x.kind, x.reason): x.count for x in batch.outcomes.all()}
    assert got[(OutcomeKind.NO_CONSENT, "")] == 3
    assert got[(OutcomeKind.WITHHELD_REASON, Reason.UNDER_16)] == 3
    assert got[(OutcomeKind.REFERRED, "")] == 1


outcomes_strategy = st.builds(
    RecordOutcome,
    referred=st.booleans(),
    routed_now=st.booleans(),
    signposted=st.booleans(),
    gap=st.booleans(),
    restricted=st.booleans(),
    needs_review=st.booleans(),
    withheld_reasons=st.lists(st.sampled_from(sorted(REASON_LABELS)), max_size=3).map(tuple),
)


@given(st.lists(outcomes_strategy, max_size=40))
def test_every_record_counts_once_per_dimension(outcomes: list[RecordOutcome]) -> None:
    counts = ledger_counts(outcomes)
    referral = [k for k in OutcomeKind if k not in {"offered", "withheld", "withheld_reason", "needs_review"}]
    assert sum(counts[(k, "")] for k in referral) == len(outcomes)
    assert counts[(OutcomeKind.OFFERED, "")] + counts[(OutcomeKind.WITHHELD, "")] == len(outcomes)
    for reason in REASON_LABELS:
        assert counts[(OutcomeKind.WITHHELD_REASON, reason)] == sum(1 for o in outcomes if reason in o.withheld_reasons)
    assert counts[(OutcomeKind.NEEDS_REVIEW, "")] == sum(o.needs_review for o in outcomes)
    # A restricted person is never counted as referred, whatever else is true.
    assert all(outcome_kind(o) == OutcomeKind.RESTRICTED for o in outcomes if o.restricted)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(["Y", "N"]), st.sampled_from(["Y", "N", ""]), st.booleans()), min_size=1, max_size=6
    ),
    st.integers(min_value=1, max_value=4),
)
def test_the_ledger_matches_the_records_whatever_the_file(spec: list[tuple[str, str, bool]], chunk_size: int) -> None:
    wipe_imports()
    rows = [
        row(
            crime_reference=f"23/{n:07d}/26",
            first_name=f"Person{n}",
            consent_to_share=consent,
            contact_permitted=permitted,
            phone=f"07700 9{n:05d}",
            email=f"p{n}@example.org",
            flags="domestic-abuse" if da else "",
        )
        for n, (consent, permitted, da) in enumerate(spec, start=1)
    ]
    batch = run(rows, chunk_size=chunk_size)
    got = {(o.kind, o.reason): o.count for o in batch.outcomes.all()}
    records = PoliceVictimRecord.objects.select_related("offer")
    assert got.get((OutcomeKind.REFERRED, ""), 0) == records.filter(referral__isnull=False).count()
    assert got.get((OutcomeKind.OFFERED, ""), 0) == records.exclude(offer__status=MessageStatus.WITHHELD).count()
    assert got.get((OutcomeKind.SIGNPOSTED, ""), 0) == sum(1 for c, _, da in spec if c == "Y" and da)
    assert got.get((OutcomeKind.NO_CONSENT, ""), 0) == sum(1 for c, _, _ in spec if c == "N")


def test_the_batch_page_explains_each_count_in_plain_words(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    batch = run(_mixed_file())
    client = signed_in_client(make_user(Role.POLICE_DATA_OFFICER, org="warwickshire-police"))
    page = client.get(reverse("police:batch", args=[batch.pk])).content.decode()
    assert "Of the 7 victims OneDoor routed from this file, 4 were referred to a service and 3 were not." in page
    assert 'data-outcome="signposted">1<' in page and 'data-outcome="no_consent">1<' in page
    assert 'data-outcome="offer_only">1<' in page and 'data-outcome="withheld">3<' in page
    assert f'data-reason="{Reason.SHARED_CONTACT_IN_CRIME}">2<' in page
    assert REASON_LABELS[Reason.CONTACT_NOT_PERMITTED] in page
    assert "commissioned outside OneDoor" in page and "consent to share" in page
    assert "2 victims in this file were flagged for review" in page
    assert reverse("police:reviews") in page
    # No raw keys on the page (the errors table names the file's own columns, as the file does).
    main = page.split('id="main-content"')[1].split('id="errors"')[0]
    visible = re.sub(r"<[^>]+>", " ", main)
    assert not re.search(r"\b[A-Za-z]+_[A-Za-z_]+\b", visible), re.findall(r"\b[A-Za-z]+_[A-Za-z_]+\b", visible)


def test_a_batch_from_before_the_ledger_says_so(
    make_user: Callable[..., User], signed_in_client: Callable[[User], Client]
) -> None:
    batch = run([row()])
    PoliceBatchOutcome.objects.filter(batch=batch).delete()
    client = signed_in_client(make_user(Role.ADMINISTRATOR))
    page = client.get(reverse("police:batch", args=[batch.pk])).content.decode()
    assert "imported before OneDoor kept each batch's outcomes" in page
    assert reverse("police:reviews") not in page  # administrators see the ledger, not the review list
    assert PoliceBatch.objects.filter(pk=batch.pk).exists()

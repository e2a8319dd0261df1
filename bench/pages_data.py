"""The page benchmark's data (bench/pages.py): N referrals and their related rows, in bulk by SQL.

Everything is INSERT ... SELECT over generate_series or over the referrals just written, never the services, so
that a million referrals build in minutes. Each referral's attributes are a deterministic hash of its number
(`h` from bench/insights.py), so every run at a size builds the same data.

The shape, at every size:
- services of very different size: Victim Support takes 70% of referrals, RoSA 12%, Change Grow Live 10%,
  Barnardo's 6%, Compass 2%;
- 12% open (received 3, triaged 1, accepted 2, waiting 1, contact attempted 1, contacted 2, engaged 2 in every
  100), the rest closed (70), declined (10) or not engaged (8);
- 40% from professionals, half of them from one referrer (the large share: 200,000 at a million), the rest
  from 200 others; 50% police transfers; 10% self-referrals;
- accepted work assigned to one of 50 caseworkers of the holding organisation;
- per referral: one allocation, two or three status events, an audit row; flags on one in five; a support
  offer message on each police transfer; a signposting record for one in ten; a police record for each police
  transfer and one for every ten without consent, in one batch per day over two years;
- a waiting-list entry (with a check-in) for each referral waiting now, and a left entry for one in twenty
  closed; an alert for one in a hundred (open on open referrals, acknowledged on the rest).

One more organisation, the fixed team, holds the same open work at every size: with the first referrals,
FIXED_CASES open assigned cases of FIXED_DONORS (and their waiting entries and alerts) move to its service,
FIXED_CASELOAD to each of its first FIXED_CASES // FIXED_CASELOAD caseworkers, with FIXED_ALERTS open
alerts, and no later referral goes there.
Its caseworker and lead show what "My cases" and the team's cases cost when the data grows and the caseload
does not (a caseworker with 40 cases), beside the first caseworker of Victim Support, whose caseload grows
with the data (11 open cases at 10,000, 1,124 at a million).
"""

from __future__ import annotations

import uuid
from typing import Any

from insights import (
    SIGNPOST_FROM_REFERRAL,
    filler,
    h,
    ids,
    police_from_referral,
    scalar,
    sql,
)  # bench/insights.py, on the path beside this file

SERVICE_SHARES = [("victim-support", 70), ("rosa", 12), ("cgl", 10), ("barnardos", 6), ("compass", 2)]
STATUS_SHARES = [
    ("received", 3),
    ("triaged", 1),
    ("accepted", 2),
    ("waiting", 1),
    ("contact_attempted", 1),
    ("contacted", 2),
    ("engaged", 2),
    ("closed", 70),
    ("declined", 10),
    ("not_engaged", 8),
]
OPEN = ("received", "triaged", "accepted", "waiting", "contact_attempted", "contacted", "engaged")
ASSIGNED = ("accepted", "waiting", "contact_attempted", "contacted", "engaged", "closed", "not_engaged")
CASEWORKERS = 50
FIXED_TEAM = "bench-fixed-team"
FIXED_CASES, FIXED_CASELOAD, FIXED_ALERTS = 200, 40, 60
FIXED_DONORS = ("rosa", "cgl", "barnardos")  # not the services whose pages are measured
REFERRERS = 200
DAYS = 730


def _pick(shares: list[tuple[str, int]], expr: str) -> str:
    """An SQL CASE that maps `expr` (0..99) to a name by the shares."""
    arms, upto = [], 0
    for name, share in shares:
        upto += share
        arms.append(f"WHEN {expr} < {upto} THEN '{name}'")
    return "CASE " + " ".join(arms) + " END"


def setup_people() -> dict[str, Any]:
    """The accounts the benchmark signs in as, and the bulk accounts the data refers to (referrers, caseworkers),
    made by SQL too (unusable passwords; they never sign in)."""
    from onedoor.accounts.models import Organisation, Role, User
    from onedoor.accounts.services import user_create
    from onedoor.directory.models import Service

    fixed = Organisation.objects.create(slug=FIXED_TEAM, name="Bench fixed team", kind="provider")
    service = Service.objects.get(slug="victim-support")
    service.pk, service.slug, service.name, service.organisation = None, FIXED_TEAM, "Bench fixed team", fixed
    service.uuid = uuid.uuid4()
    service.save()
    orgs = {o.slug: o for o in Organisation.objects.all()}
    people: dict[str, Any] = {}

    def make(key: str, role: str, org: str | None, **extra: Any) -> User:
        user = user_create(username=f"bench-{key}", role=role, organisation=orgs[org] if org else None, **extra)
        people[key] = user
        return user

    make("referrer", Role.REFERRER, None)
    make("analyst", Role.COMMISSIONER_ANALYST, "opcc")
    make("police", Role.POLICE_DATA_OFFICER, "warwickshire-police")
    admin = make("admin", Role.ADMINISTRATOR, None)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    for slug, _ in SERVICE_SHARES:
        make(f"triage-{slug}", Role.PROVIDER_TRIAGE, slug)
        make(f"lead-{slug}", Role.TEAM_LEAD, slug)
    make("lead-fixed", Role.TEAM_LEAD, FIXED_TEAM)
    ucols, uvals = filler(
        User,
        {
            "password": "'!'",
            "username": "'bench-' || kind || '-' || g",
            "role": "kind",
            "organisation_id": "org",
            "is_active": "true",
            "date_joined": "now()",
            "email": "''",
        },
    )
    sql(
        f"INSERT INTO accounts_user ({ucols}) SELECT {uvals} FROM ("
        f"SELECT g, 'referrer' AS kind, NULL::bigint AS org FROM generate_series(1, {REFERRERS}) g "
        f"UNION ALL SELECT g + 1000 * o.id, 'caseworker', o.id FROM accounts_organisation o, "
        f"generate_series(1, {CASEWORKERS}) g WHERE o.kind = 'provider') s"
    )
    # The caseworker the benchmark signs in as is the first of Victim Support's.
    people["caseworker"] = User.objects.get(username=f"bench-caseworker-{1 + 1000 * orgs['victim-support'].pk}")
    people["caseworker-fixed"] = User.objects.get(username=f"bench-caseworker-{1 + 1000 * fixed.pk}")
    return people


def fixed_team() -> None:
    from onedoor.casework.models import CaseAlert

    """Move FIXED_CASES open assigned cases of FIXED_DONORS to the fixed team, FIXED_CASELOAD to each of
    its first caseworkers, with their allocation, waiting entries and alerts, and FIXED_ALERTS open alerts more."""
    open_ = ", ".join(f"'{s}'" for s in OPEN if s in ASSIGNED)
    donors = ", ".join(f"'{slug}'" for slug in FIXED_DONORS)
    sql(
        "CREATE TEMP TABLE fixed_moves AS SELECT c.id, t.id AS service_id, t.organisation_id, u.id AS holder "
        "FROM (SELECT r.id, row_number() OVER (ORDER BY r.id) - 1 AS n FROM referrals_referral r "
        f"JOIN directory_service s ON s.id = r.current_service_id WHERE s.slug IN ({donors}) "
        f"AND r.status IN ({open_}) ORDER BY r.id LIMIT {FIXED_CASES}) c "
        f"JOIN directory_service t ON t.slug = '{FIXED_TEAM}' JOIN accounts_user u ON u.username = "
        f"'bench-caseworker-' || (1 + c.n % {FIXED_CASES // FIXED_CASELOAD} + 1000 * t.organisation_id)"
    )
    sql(
        "UPDATE referrals_referral r SET current_service_id = m.service_id, assigned_to_id = m.holder "
        "FROM fixed_moves m WHERE r.id = m.id"
    )
    for table, column in (("referrals_allocation", "service_id"), ("casework_waitinglistentry", "service_id")):
        sql(f"UPDATE {table} x SET {column} = m.service_id FROM fixed_moves m WHERE x.referral_id = m.id")
    sql(
        "UPDATE casework_casealert x SET organisation_id = m.organisation_id "
        "FROM fixed_moves m WHERE x.referral_id = m.id"
    )
    # A full page of open alerts (the page shows 50) at every size, newest first.
    alcols, alvals = filler(
        CaseAlert,
        {
            "referral_id": "m.id",
            "organisation_id": "m.organisation_id",
            "kind": "'consent_withdrawn'",
            "created_at": "now() - m.id * interval '1 minute'",
        },
    )
    sql(
        f"INSERT INTO casework_casealert ({alcols}) SELECT {alvals} FROM fixed_moves m "
        f"ORDER BY m.id LIMIT {FIXED_ALERTS}"
    )
    moved = scalar("SELECT count(*) FROM fixed_moves")
    assert moved == FIXED_CASES, (
        f"the first referrals hold {moved} open assigned cases of {FIXED_DONORS}: build 10,000 or more"
    )
    sql("DROP TABLE fixed_moves")


def build(first: int, n: int, people: dict[str, Any]) -> None:
    """Referrals first..n and their related rows, in slices of 250,000 so that no statement holds too much.
    The police batches (one a day) are made with the first referrals."""
    ref = {
        "services": ids(
            "SELECT s.id FROM directory_service s JOIN (VALUES "
            + ", ".join(f"('{slug}', {i})" for i, (slug, _) in enumerate(SERVICE_SHARES))
            + ") v(slug, o) ON v.slug = s.slug ORDER BY v.o"
        ),
        "districts": ids("SELECT id FROM core_district ORDER BY id"),
        "offences": ids("SELECT id FROM core_offencegroup ORDER BY id LIMIT 10"),
        "flags": ids("SELECT id FROM core_flag ORDER BY id"),
        "referrers": ids("SELECT id FROM accounts_user WHERE username LIKE 'bench-referrer-%' ORDER BY id"),
    }
    if first == 1:
        batches(people)
    step = 250_000
    for lo in range(first, n + 1, step):
        slice_(ref, people, lo, min(lo + step - 1, n))
    if first == 1:
        fixed_team()
    # What autovacuum does after bulk inserts in production (PostgreSQL 13 on vacuums a table after enough
    # inserts): the statistics, and the visibility map that lets a count read an index without the heap.
    # With ANALYZE alone, every capped count read 1,001 heap rows a page that production never reads.
    sql("VACUUM (ANALYZE)")


def batches(people: dict[str, Any]) -> None:
    from onedoor.police.models import PoliceBatch

    bcols, bvals = filler(
        PoliceBatch,
        {
            "file_name": "'police-' || to_char(current_date - g, 'YYYY-MM-DD') || '.csv'",
            "file_hash": "md5(g::text)",
            "channel": "'api'",
            "created_by_id": str(people["police"].pk),
            "started_at": "(current_date - g) + time '02:00'",
            "finished_at": "(current_date - g) + time '02:03'",
            "status": "'completed'",
            "phase": "'done'",
            "encoding": "'utf-8'",
            "stats": "'{}'::jsonb",
        },
    )
    sql(f"INSERT INTO police_policebatch ({bcols}) SELECT {bvals} FROM generate_series(0, {DAYS} - 1) g")


def slice_(ref: dict[str, Any], people: dict[str, Any], lo: int, hi: int) -> None:
    from onedoor.casework.models import CaseAlert, WaitingListEntry, WelfareCheckIn
    from onedoor.core.models import AuditEvent
    from onedoor.messaging.models import Message
    from onedoor.police.models import PoliceVictimRecord
    from onedoor.referrals.models import Allocation, Referral, SignpostRecord, StatusEvent

    before = scalar("SELECT coalesce(max(id), 0) FROM referrals_referral")
    status = _pick(STATUS_SHARES, h(3, 100))
    source = (
        f"(CASE WHEN {h(1, 10)} < 4 THEN 'professional' WHEN {h(1, 10)} < 9 THEN 'police-transfer' ELSE 'self' END)"
    )
    day = f"(current_date - {h(0, DAYS)})"
    stamp = f"(({day} + time '10:00') AT TIME ZONE 'Europe/London')"
    # The large referrer makes half of the professionals' referrals; 200 others the rest.
    referrer = (
        f"CASE WHEN {h(1, 10)} >= 4 THEN NULL WHEN {h(10, 2)} = 0 THEN {people['referrer'].pk} "
        f"ELSE ({ref['referrers']})[1 + {h(11, REFERRERS)}] END"
    )
    service = (
        f"({ref['services']})[1 + ({_pick([(str(i), s) for i, (_, s) in enumerate(SERVICE_SHARES)], h(2, 100))})::int]"
    )
    cols, vals = filler(
        Referral,
        {
            "reference": "'B' || lpad(g::text, 13, '0')",
            "source": source,
            "referrer_id": referrer,
            "created_at": stamp,
            "updated_at": stamp,
            "status": status,
            "priority": f"1 + {h(4, 3)}",
            "current_service_id": service,
            "received_on": day,
            "due_on": f"{day} + 5",
            "first_name": "'Bench'",
            "last_name": "'Person ' || g",
            "age_at_referral": f"16 + {h(5, 70)}",
            "district_id": f"({ref['districts']})[1 + {h(6, 5)}]",
            "offence_group_id": f"({ref['offences']})[1 + {h(7, 10)}]",
            "consent_given": "true",
            "consent_given_by": "'person'",
            "consent_given_on": day,
            "safe_to_call": "true",
            "phone": "'07700900' || lpad((g % 1000)::text, 3, '0')",
        },
    )
    sql(f"INSERT INTO referrals_referral ({cols}) SELECT {vals} FROM generate_series({lo}, {hi}) g")
    new = f"r.id > {before}"
    assigned = ", ".join(f"'{s}'" for s in ASSIGNED)
    open_ = ", ".join(f"'{s}'" for s in OPEN)
    # Assigned work goes to one of the holding organisation's 50 caseworkers; contact made where it was.
    sql(
        "UPDATE referrals_referral r SET assigned_to_id = u.id, first_contacted_at = CASE WHEN r.status IN "
        "('contacted', 'engaged', 'closed') THEN r.created_at + interval '3 days' END "
        "FROM directory_service s, accounts_user u "
        f"WHERE {new} AND r.status IN ({assigned}) AND s.id = r.current_service_id "
        f"AND u.username = 'bench-caseworker-' || (1 + r.id % {CASEWORKERS} + 1000 * s.organisation_id)"
    )
    acols, avals = filler(
        Allocation,
        {
            "referral_id": "r.id",
            "service_id": "r.current_service_id",
            "started_at": "r.created_at",
            "ended_at": f"CASE WHEN r.status IN ({open_}) THEN NULL ELSE r.created_at + interval '40 days' END",
        },
    )
    sql(f"INSERT INTO referrals_allocation ({acols}) SELECT {avals} FROM referrals_referral r WHERE {new}")
    ecols, _ = filler(StatusEvent, {})
    for where, delay, frm, to in [
        ("true", "0 hours", "''", "'received'"),
        (f"r.status IN ({assigned})", "1 day", "'received'", "'accepted'"),
        ("r.status NOT IN ('received', 'accepted')", "5 days", "'accepted'", "r.status"),
    ]:
        _, evals = filler(
            StatusEvent,
            {
                "referral_id": "r.id",
                "at": f"r.created_at + interval '{delay}'",
                "from_status": frm,
                "to_status": to,
                "service_id": "r.current_service_id",
                "actor_id": "r.assigned_to_id",
                "reason_code": "CASE WHEN r.status = 'closed' THEN 'support_completed' "
                "WHEN r.status = 'declined' THEN 'out_of_remit' "
                "WHEN r.status = 'not_engaged' THEN 'unable_to_contact' ELSE '' END",
            },
        )
        sql(
            f"INSERT INTO referrals_statusevent ({ecols}) SELECT {evals} "
            f"FROM referrals_referral r WHERE {new} AND {where}"
        )
    sql(
        "INSERT INTO referrals_referral_flags (referral_id, flag_id) "
        f"SELECT r.id, ({ref['flags']})[1 + (r.id % array_length({ref['flags']}, 1))] "
        f"FROM referrals_referral r WHERE {new} AND r.id % 5 = 0"
    )
    audit_cols, audit_vals = filler(
        AuditEvent,
        {
            "at": "r.created_at",
            "actor_id": "r.referrer_id",
            "actor_label": "'bench'",
            "action": "'referral.create'",
            "object_type": "'referral'",
            "object_id": "r.reference",
            "channel": "'web'",
            "detail": "'{}'::jsonb",
        },
    )
    sql(f"INSERT INTO core_auditevent ({audit_cols}) SELECT {audit_vals} FROM referrals_referral r WHERE {new}")
    mcols, mvals = filler(
        Message,
        {
            "reference": "md5('m' || r.id)::uuid",
            "kind": "'support-offer'",
            "channel": "'sms'",
            "status": "'delivered'",
            "created_at": "r.created_at",
            "sent_at": "r.created_at + interval '1 minute'",
            "updated_at": "r.created_at",
            "personalisation": "'{}'::jsonb",
            "withheld_reasons": "'[]'::jsonb",
        },
    )
    mcols = mcols.replace(", to,", ', "to",')  # a reserved word
    sql(
        f"INSERT INTO messaging_message ({mcols}) SELECT {mvals} FROM referrals_referral r "
        f"WHERE {new} AND r.source = 'police-transfer'"
    )
    police = police_from_referral("b.id", "b.id")
    batch_join = (
        "FROM referrals_referral r JOIN police_policebatch b "
        "ON b.started_at::date = r.received_on AND b.channel = 'api'"
    )
    pcols, pvals = filler(PoliceVictimRecord, police)
    sql(
        f"INSERT INTO police_policevictimrecord ({pcols}) SELECT {pvals} {batch_join} "
        f"WHERE {new} AND r.source = 'police-transfer'"
    )
    unreferred = {**police, "crime_reference": "'N' || r.id", "consent_to_share": "false", "referral_id": "NULL"}
    pcols, pvals = filler(PoliceVictimRecord, unreferred)
    sql(f"INSERT INTO police_policevictimrecord ({pcols}) SELECT {pvals} {batch_join} WHERE {new} AND r.id % 10 = 7")
    scols, svals = filler(SignpostRecord, SIGNPOST_FROM_REFERRAL)
    sql(
        f"INSERT INTO referrals_signpostrecord ({scols}) SELECT {svals} "
        f"FROM referrals_referral r WHERE {new} AND r.id % 10 = 3"
    )
    wcols, wvals = filler(
        WaitingListEntry,
        {
            "referral_id": "r.id",
            "service_id": "r.current_service_id",
            "added_at": "r.created_at + interval '2 days'",
            "left_at": "CASE WHEN r.status = 'waiting' THEN NULL ELSE r.created_at + interval '30 days' END",
            "check_in_every_days": "14",
        },
    )
    sql(
        f"INSERT INTO casework_waitinglistentry ({wcols}) SELECT {wvals} FROM referrals_referral r "
        f"WHERE {new} AND (r.status = 'waiting' OR (r.status = 'closed' AND r.id % 20 = 0))"
    )
    ccols, cvals = filler(WelfareCheckIn, {"entry_id": "w.id", "due_on": "w.added_at::date + 14"})
    sql(
        f"INSERT INTO casework_welfarecheckin ({ccols}) SELECT {cvals} FROM casework_waitinglistentry w "
        f"WHERE w.referral_id > {before}"
    )
    alcols, alvals = filler(
        CaseAlert,
        {
            "referral_id": "r.id",
            "organisation_id": "s.organisation_id",
            "kind": "'consent_withdrawn'",
            "created_at": "r.created_at + interval '4 days'",
            "acknowledged_at": f"CASE WHEN r.status IN ({open_}) THEN NULL ELSE r.created_at + interval '5 days' END",
        },
    )
    sql(
        f"INSERT INTO casework_casealert ({alcols}) SELECT {alvals} FROM referrals_referral r "
        f"JOIN directory_service s ON s.id = r.current_service_id WHERE {new} AND r.id % 100 = 11"
    )

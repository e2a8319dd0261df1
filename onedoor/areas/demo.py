"""Synthetic demo data: users for every role and about 200 referrals made through the real services.

Every person is invented (Faker, en_GB); phone numbers are in Ofcom's 07700 900xxx drama range. The demo
works for any loaded area: the Warwickshire users below keep their organisations there; elsewhere the
police and commissioner users join the area's own police and commissioner organisations, users of
providers the area does not have are left out, and each of its other providers gets a triage user.
"""

from __future__ import annotations

import hashlib
import random
from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from faker import Faker

from onedoor.accounts.models import Organisation, OrganisationKind, Role, User
from onedoor.accounts.services import totp_device_create, user_create
from onedoor.areas.current import area_data
from onedoor.areas.demo_data import district_weights
from onedoor.core.models import DemographicCategory, District, Flag, OffenceGroup
from onedoor.core.tasks import tasks_suppressed
from onedoor.referrals import services
from onedoor.referrals.models import DeclineReason, Referral, Source, Status
from onedoor.referrals.routing import RoutingTable

DEMO_PASSWORD = "onedoor-demo-2026"  # noqa: S105 - demo data, printed on purpose


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    organisation: str | None
    first_name: str
    last_name: str
    note: str


DEMO_USERS = [
    DemoUser("officer", Role.REFERRER, "warwickshire-police", "Sam", "Patel", "police officer: makes referrals"),
    DemoUser("gp", Role.REFERRER, "demo-gp-practice", "Alex", "Morgan", "GP: makes referrals"),
    DemoUser("school", Role.REFERRER, "demo-school", "Jo", "Evans", "school safeguarding lead"),
    DemoUser("vs.triage", Role.PROVIDER_TRIAGE, "victim-support", "Priya", "Shah", "Victim Support triage"),
    DemoUser("vs.caseworker", Role.CASEWORKER, "victim-support", "Tom", "Hughes", "Victim Support caseworker"),
    DemoUser("vs.lead", Role.TEAM_LEAD, "victim-support", "Dana", "Wilson", "Victim Support team lead"),
    DemoUser("rosa.triage", Role.PROVIDER_TRIAGE, "rosa", "Grace", "Okafor", "RoSA triage"),
    DemoUser("rosa.caseworker", Role.CASEWORKER, "rosa", "Ellie", "Turner", "RoSA ISVA"),
    DemoUser("rosa.lead", Role.TEAM_LEAD, "rosa", "Hannah", "Price", "RoSA team lead"),
    DemoUser("barnardos.triage", Role.PROVIDER_TRIAGE, "barnardos", "Kofi", "Mensah", "Barnardo's triage"),
    DemoUser("cgl.triage", Role.PROVIDER_TRIAGE, "cgl", "Megan", "Lloyd", "CGL triage"),
    DemoUser("compass.triage", Role.PROVIDER_TRIAGE, "compass", "Ravi", "Kumar", "Compass triage"),
    DemoUser("analyst", Role.COMMISSIONER_ANALYST, "opcc", "Chris", "Bell", "commissioner's analyst"),
    DemoUser("police.data", Role.POLICE_DATA_OFFICER, "warwickshire-police", "Lee", "Ward", "police data officer"),
    DemoUser("admin", Role.ADMINISTRATOR, "opcc", "Ana", "Silva", "administrator"),
    DemoUser("dpo", Role.DATA_PROTECTION_OFFICER, "opcc", "Nadia", "Rahman", "commissioner's data protection officer"),
]


def demo_totp_hex(username: str) -> str:
    """A fixed, printed secret per demo user, so that a newcomer can sign in. Demo only."""
    return hashlib.sha1(f"onedoor-demo:{username}".encode(), usedforsecurity=False).hexdigest()


def demo_totp_base32(username: str) -> str:
    return b32encode(bytes.fromhex(demo_totp_hex(username))).decode()


# (offence group, flags, age range, weight) — scenarios that exercise every route.
SCENARIOS = [
    ("burglary-residential", [], (25, 85), 18),
    ("violence-with-injury", [], (16, 60), 16),
    ("violence-without-injury", ["hate"], (18, 70), 8),
    ("fraud", ["vulnerable"], (60, 92), 8),
    ("stalking-harassment", ["repeat"], (18, 55), 6),
    ("rape", [], (16, 60), 10),
    ("other-sexual-offences", ["child-sexual-exploitation"], (12, 17), 8),
    ("other-sexual-offences", [], (8, 70), 6),
    (None, ["child-criminal-exploitation"], (13, 17), 6),
    (None, ["modern-slavery"], (19, 50), 4),
    (None, ["modern-slavery"], (14, 17), 2),
    ("drug-offences", ["cj-substance-use"], (15, 17), 5),
    ("drug-offences", ["cj-substance-use"], (18, 45), 6),
    ("criminal-damage-arson", [], (20, 80), 6),
    ("anti-social-behaviour", [], (20, 80), 4),
    ("computer-misuse", [], (30, 75), 3),
    ("theft-from-person", [], (16, 70), 4),
]
# Where the area has no organisation of a demo user's own slug, these kinds stand in for it.
STAND_INS = {"warwickshire-police": OrganisationKind.POLICE, "opcc": OrganisationKind.COMMISSIONER}


def demo_users() -> list[DemoUser]:
    """The demo's users for the loaded area (run after load_area)."""
    slugs = dict(Organisation.objects.values_list("slug", "kind"))
    users = []
    for d in DEMO_USERS:
        org = d.organisation
        if org and org not in slugs and org in STAND_INS:
            org = Organisation.objects.filter(kind=STAND_INS[org]).order_by("pk").values_list("slug", flat=True).first()
        if org is None or org in slugs or org in {"demo-gp-practice", "demo-school"}:
            users.append(DemoUser(d.username, d.role, org, d.first_name, d.last_name, d.note))
    covered = {u.organisation for u in users}
    for slug, kind in sorted(slugs.items()):
        if kind == OrganisationKind.PROVIDER and slug not in covered:
            users.append(DemoUser(f"{slug}.triage", Role.PROVIDER_TRIAGE, slug, "Sam", "Reed", f"{slug} triage"))
    return users


def _ensure_users(stdout_lines: list[str]) -> dict[str, User]:
    place = area_data()["districts"][0]["name"]
    extra_orgs = [
        ("demo-gp-practice", f"Demo GP practice, {place}", OrganisationKind.HEALTH),
        ("demo-school", f"Demo secondary school, {place}", OrganisationKind.EDUCATION),
    ]
    for slug, name, kind in extra_orgs:
        Organisation.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
    users = {}
    for d in demo_users():
        user = User.objects.filter(username=d.username).first()
        if user is None:
            org = Organisation.objects.get(slug=d.organisation) if d.organisation else None
            user = user_create(
                username=d.username,
                role=d.role,
                organisation=org,
                email=f"{d.username}@example.org",
                first_name=d.first_name,
                last_name=d.last_name,
                password=DEMO_PASSWORD,
            )
            if user.needs_two_factor:
                totp_device_create(user=user, key_hex=demo_totp_hex(d.username))
        users[d.username] = user
    return users


def _pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def load_demo(*, count: int = 200, seed: int = 2022) -> dict[str, int]:
    # The demo's referrals are history: nobody is emailed about them.
    with tasks_suppressed(), transaction.atomic():
        return _load_demo(count=count, seed=seed)


def _load_demo(*, count: int, seed: int) -> dict[str, int]:
    lines: list[str] = []
    users = _ensure_users(lines)
    if Referral.objects.exists():
        return {"users": len(users), "referrals": 0}
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    table = RoutingTable.load()
    districts = {d.gss_code: d for d in District.objects.all()}
    weights = {code: n for code, n in district_weights(area_data()).items() if code in districts}
    offences = {o.slug: o for o in OffenceGroup.objects.all()}
    flags = {f.slug: f for f in Flag.objects.all()}
    ethnicities = list(DemographicCategory.objects.filter(characteristic="ethnicity"))
    sexes = list(DemographicCategory.objects.filter(characteristic="sex"))
    referrers = [users["officer"], users["gp"], users["school"]]
    triage = {u.organisation.slug: u for u in users.values() if u.role == Role.PROVIDER_TRIAGE and u.organisation}
    made = 0
    today = timezone.localdate()
    for i in range(count):
        offence, flag_slugs, (lo, hi), _ = rng.choices(SCENARIOS, weights=[s[3] for s in SCENARIOS])[0]
        age = rng.randint(lo, hi)
        dob = today - timedelta(days=age * 365 + rng.randint(0, 360))
        sex = rng.choice(sexes)
        first = fake.first_name_female() if sex.code == "female" else fake.first_name_male()
        details = services.ReferralDetails(
            first_name=first,
            last_name=fake.last_name(),
            date_of_birth=dob,
            preferred_language=rng.choice(["English"] * 8 + ["Polish", "Panjabi", "Gujarati", "Portuguese"]),
            demographics={"sex": sex, "ethnicity": rng.choice(ethnicities) if rng.random() > 0.39 else None},
            phone=f"+447700900{rng.randint(100, 999)}",
            email=f"person{i}@example.org" if rng.random() < 0.5 else "",
            safe_to_call=True,
            safe_to_text=rng.random() < 0.8,
            safe_to_leave_voicemail=rng.random() < 0.4,
            phone_is_own=True,
            district=districts[_pick(rng, weights)],
            reported_to_police=rng.random() < 0.7,
            crime_reference=f"23{rng.randint(100000, 999999)}/{today.year % 100}",
            offence_group=offences.get(offence) if offence else None,
            flags=[flags[f] for f in flag_slugs],
            reason="Would like support after the incident; agreed to be contacted.",
            urgent=rng.random() < 0.05,
            consent_given=True,
            consent_given_by="person" if age >= 16 else "parent_guardian",
        )
        referrer = rng.choice(referrers)
        moment = timezone.now() - timedelta(days=rng.randint(0, 45), hours=rng.randint(0, 23))
        outcome = services.referral_create(
            details=details, source=Source.PROFESSIONAL, referrer=referrer, table=table, now=moment
        )
        referral = outcome.referral
        if referral is None or referral.current_service is None:
            continue
        made += 1
        actor = triage[referral.current_service.organisation.slug]  # type: ignore[union-attr]
        _advance(referral, actor, rng)
    return {"users": len(users), "referrals": made}


def _advance(referral: Referral, actor: User, rng: random.Random) -> None:
    """Move a demo referral some way along its life, through the real service functions."""
    roll = rng.random()
    if roll < 0.30:
        return  # still new in the queue
    if roll < 0.36:
        services.referral_decline(
            referral=referral,
            actor=actor,
            reason_code=rng.choice(DeclineReason.values),
            referrer_note="We have suggested another service that fits better.",
        )
        return
    services.referral_accept(referral=referral, actor=actor)
    steps = [
        (0.15, services.referral_place_on_waiting_list),
        (0.25, services.referral_record_contact_attempt),
        (0.45, services.referral_mark_contacted),
        (0.65, services.referral_mark_engaged),
    ]
    for threshold, step in steps:
        if rng.random() < threshold + 0.3:
            referral.refresh_from_db()
            if referral.status == Status.WAITING and step is services.referral_record_contact_attempt:
                continue
            step(referral=referral, actor=actor)
        else:
            return
    if rng.random() < 0.3:
        services.referral_close(referral=referral, actor=actor, reason_code="support_completed")

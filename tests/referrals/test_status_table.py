"""The status machine against the specification, not against the code's own TRANSITIONS.

`SPEC` is a literal copy of "The allowed moves" in docs/architecture.md; one test parses that table and
checks it equals `SPEC`, so neither can drift from the other. The hypothesis walk then makes random moves
through the service functions: each move the table allows succeeds and is recorded; each other move raises
TransitionError and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from onedoor.accounts.models import Role, User
from onedoor.core.models import AuditEvent
from onedoor.directory.models import Service
from onedoor.referrals import services
from onedoor.referrals.models import Allocation, Referral, StatusEvent
from tests.referrals.factories import make_referral

# These tests re-route for their set-up; the guard on re-routing is tested in tests/referrals/test_reroute_guard.py.
TEST_OVERRIDE = "Re-routed for a test: the service is the right one for this person."

pytestmark = pytest.mark.django_db

# docs/architecture.md, "The allowed moves", copied by hand. Change both together.
SPEC: dict[str, frozenset[str]] = {
    "received": frozenset({"triaged", "accepted", "declined", "rerouted"}),
    "rerouted": frozenset({"triaged", "accepted", "declined", "rerouted"}),
    "triaged": frozenset({"accepted", "declined", "rerouted"}),
    "accepted": frozenset({"waiting", "contact_attempted", "contacted", "not_engaged", "rerouted", "closed"}),
    "waiting": frozenset({"contact_attempted", "contacted", "engaged", "not_engaged", "closed"}),
    "contact_attempted": frozenset({"contact_attempted", "contacted", "waiting", "not_engaged", "closed"}),
    "contacted": frozenset({"engaged", "waiting", "not_engaged", "closed"}),
    "engaged": frozenset({"waiting", "closed"}),
    "not_engaged": frozenset({"closed"}),
    "declined": frozenset(),
    "closed": frozenset({"accepted"}),  # re-opening
}

# One service function per move, named by what it does; `referral_reopen` is the closed -> accepted move
# ("closed to accepted, with a reason"), so accepting is not re-opening, and re-opening is only from closed.
Move = Callable[[Referral, User], Any]


def _reroute(referral: Referral, actor: User) -> Any:
    target = (
        "rosa" if referral.current_service and referral.current_service.slug == "victim-support" else "victim-support"
    )
    return services.referral_reroute(
        override_reason=TEST_OVERRIDE, referral=referral, actor=actor, to_service=Service.objects.get(slug=target)
    )


MOVES: dict[str, tuple[str, Move]] = {
    "triage": ("triaged", lambda r, a: services.referral_triage(referral=r, actor=a)),
    "accept": ("accepted", lambda r, a: services.referral_accept(referral=r, actor=a)),
    "decline": ("declined", lambda r, a: services.referral_decline(referral=r, actor=a, reason_code="out_of_remit")),
    "reroute": ("rerouted", _reroute),
    "wait": ("waiting", lambda r, a: services.referral_place_on_waiting_list(referral=r, actor=a)),
    "attempt": ("contact_attempted", lambda r, a: services.referral_record_contact_attempt(referral=r, actor=a)),
    "contacted": ("contacted", lambda r, a: services.referral_mark_contacted(referral=r, actor=a)),
    "engaged": ("engaged", lambda r, a: services.referral_mark_engaged(referral=r, actor=a)),
    "not_engaged": (
        "not_engaged",
        lambda r, a: services.referral_mark_not_engaged(referral=r, actor=a, reason_code="no_reply"),
    ),
    "close": ("closed", lambda r, a: services.referral_close(referral=r, actor=a, reason_code="support_completed")),
    "reopen": ("accepted", lambda r, a: services.referral_reopen(referral=r, actor=a, reason="New information")),
}


def spec_allows(status: str, move: str) -> bool:
    to = MOVES[move][0]
    if to not in SPEC[status]:
        return False
    if to == "accepted":  # the one target reached two ways: re-opening from closed, accepting otherwise
        return (move == "reopen") == (status == "closed")
    return True


def _doc_table() -> dict[str, frozenset[str]]:
    text = (Path(settings.BASE_DIR) / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("The allowed moves", 1)[1]
    rows: dict[str, frozenset[str]] = {}
    for line in section.splitlines()[1:]:
        if not line.strip():
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] == "from" or set(cells[0]) <= set("-: "):
            continue
        targets = re.sub(r"\(.*?\)", "", cells[1]).strip()
        rows[cells[0]] = (
            frozenset() if targets.startswith("nothing") else frozenset(t.strip() for t in targets.split(","))
        )
    return rows


def test_the_documented_table_is_the_literal_copy() -> None:
    assert _doc_table() == SPEC


def test_the_table_names_every_status() -> None:
    from onedoor.referrals.models import Status

    assert set(SPEC) == set(Status.values)
    assert all(targets <= set(Status.values) for targets in SPEC.values())


def _state(referral: Referral) -> tuple[Any, ...]:
    referral.refresh_from_db()
    return (
        referral.status,
        referral.current_service_id,
        referral.assigned_to_id,
        referral.due_on,
        StatusEvent.objects.filter(referral=referral).count(),
        Allocation.objects.filter(referral=referral).count(),
        Allocation.objects.filter(referral=referral, ended_at__isnull=True).count(),
        AuditEvent.objects.filter(object_id=str(referral.pk), object_type="referrals.referral").count(),
    )


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(sorted(MOVES)), min_size=1, max_size=14))
def test_random_moves_follow_the_specification(
    referrer: User, make_user: Callable[..., User], steps: list[str]
) -> None:
    actors = {
        "victim-support": make_user(Role.PROVIDER_TRIAGE, "victim-support"),
        "rosa": make_user(Role.PROVIDER_TRIAGE, "rosa"),
    }
    referral = make_referral(referrer=referrer)
    expected = ["received"]
    for step in steps:
        before = _state(referral)
        status = before[0]
        assert referral.current_service is not None
        actor = actors[referral.current_service.slug]
        to, move = MOVES[step]
        if spec_allows(status, step):
            move(referral, actor)
            expected.append(to)
            after = _state(referral)
            assert after[0] == to, f"{status} --{step}--> should give {to}"
            assert after[4] == before[4] + 1  # one status event
        else:
            with pytest.raises(services.TransitionError):
                move(referral, actor)
            assert _state(referral) == before, f"refused {status} --{step}--> changed something"
    events = list(
        StatusEvent.objects.filter(referral=referral).order_by("at", "pk").values_list("to_status", flat=True)
    )
    assert events == expected


@pytest.mark.parametrize("status", sorted(SPEC))
def test_every_move_from_every_status_is_decided_by_the_table(
    referrer: User, make_user: Callable[..., User], status: str
) -> None:
    """Each status reached by an allowed path; then every move tried from it, each on a fresh referral."""
    path = _path_to(status)
    for step in MOVES:
        actors = {
            "victim-support": make_user(Role.PROVIDER_TRIAGE, "victim-support"),
            "rosa": make_user(Role.PROVIDER_TRIAGE, "rosa"),
        }
        referral = make_referral(referrer=referrer)
        for p in path:
            assert referral.current_service is not None
            MOVES[p][1](referral, actors[referral.current_service.slug])
            referral.refresh_from_db()
        before = _state(referral)
        assert before[0] == status
        assert referral.current_service is not None
        actor = actors[referral.current_service.slug]
        if spec_allows(status, step):
            MOVES[step][1](referral, actor)
            assert _state(referral)[0] == MOVES[step][0]
        else:
            with pytest.raises(services.TransitionError):
                MOVES[step][1](referral, actor)
            assert _state(referral) == before


def _path_to(status: str) -> list[str]:
    """The shortest sequence of allowed moves from received to `status` (breadth-first over SPEC)."""
    frontier: list[tuple[str, list[str]]] = [("received", [])]
    seen = {"received"}
    while frontier:
        here, path = frontier.pop(0)
        if here == status:
            return path
        for move in sorted(MOVES):
            to = MOVES[move][0]
            if spec_allows(here, move) and to not in seen:
                seen.add(to)
                frontier.append((to, [*path, move]))
    raise AssertionError(f"{status} cannot be reached")

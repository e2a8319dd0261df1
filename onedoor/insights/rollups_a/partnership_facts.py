"""The "partnership" rollup: joint working, onward referrals and young people's to adults' transitions.

- jointly supported: a joint working arrangement, on the local date it started; its service is the service
  holding the referral, its detail the partner service;
- onward referral (to a commissioned service through OneDoor, or to an external one from the directory): on the
  local date it was made; its service is the service holding the referral it was made from, its detail the
  destination;
- transition: on the local date it was made, by its outcome so far (the adults' service's referral: waiting,
  supported, closed, not engaged or declined), which moves until that referral ends.

The district, offence group, route in and age band are those of the referral the person came with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Case, CharField, QuerySet, Value, When

from onedoor.casework.models import JointWorking
from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_a.referral_facts import referral_columns
from onedoor.insights.rollups_a.store import FactSource, code, grouped, local_day, on_days, rebuild_days
from onedoor.referrals.models import OnwardKind, OnwardReferral, Status

ROLLUP = "partnership"

# A transition's outcome so far, from the status of the adults' service's referral.
TRANSITION_OUTCOMES = {
    "waiting": (
        "Waiting for the adults' service",
        (Status.RECEIVED, Status.TRIAGED, Status.REROUTED, Status.ACCEPTED, Status.WAITING, Status.CONTACT_ATTEMPTED),
    ),
    "supported": ("Supported by the adults' service", (Status.CONTACTED, Status.ENGAGED)),
    "closed": ("Support ended (closed)", (Status.CLOSED,)),
    "not_engaged": ("Did not engage", (Status.NOT_ENGAGED,)),
    "declined": ("Declined by the adults' service", (Status.DECLINED,)),
}

_OUTCOME = Case(
    *(When(to_referral__status__in=statuses, then=Value(c)) for c, (_, statuses) in TRANSITION_OUTCOMES.items()),
    default=Value(NOT_RECORDED),
    output_field=CharField(),
)


def _joint(days: set[date]) -> QuerySet[Any]:
    qs = JointWorking.objects.filter(on_days("started_at", days, moment=True))
    return grouped(
        qs,
        day=local_day("started_at"),
        service=code("referral__current_service__slug"),
        **referral_columns("referral__"),
        detail=code("partner_service__slug"),
    )


def _onward_rows(qs: QuerySet[OnwardReferral], detail: Any) -> QuerySet[Any]:
    return grouped(
        qs,
        day=local_day("created_at"),
        service=code("from_referral__current_service__slug"),
        **referral_columns("from_referral__"),
        detail=detail,
    )


def _onward(days: set[date]) -> QuerySet[Any]:
    qs = OnwardReferral.objects.filter(
        on_days("created_at", days, moment=True), kind__in=[OnwardKind.COMMISSIONED, OnwardKind.EXTERNAL]
    )
    return _onward_rows(qs, code("to_service__slug"))


def _transitions(days: set[date]) -> QuerySet[Any]:
    qs = OnwardReferral.objects.filter(on_days("created_at", days, moment=True), kind=OnwardKind.TRANSITION)
    return _onward_rows(qs, _OUTCOME)


SOURCES = (
    FactSource(fact="partnership.joint", rows=_joint),
    FactSource(fact="partnership.onward", rows=_onward),
    FactSource(fact="partnership.transition", rows=_transitions),
)


def _days(qs: QuerySet[Any], field: str) -> set[date]:
    values = qs.annotate(_d=local_day(field)).values_list("_d", flat=True).order_by().distinct()
    return {d for d in values if d is not None}


def touched(since: datetime | None) -> set[date]:
    joint, onward = JointWorking.objects.all(), OnwardReferral.objects.all()
    if since is None:
        return _days(joint, "started_at") | _days(onward, "created_at")
    after = since  # rollups_refresh already looks SETTLE behind its watermark
    return (
        _days(joint.filter(started_at__gt=after), "started_at")
        | _days(joint.filter(referral__updated_at__gt=after), "started_at")
        | _days(onward.filter(created_at__gt=after), "created_at")
        | _days(onward.filter(from_referral__updated_at__gt=after), "created_at")
        | _days(onward.filter(to_referral__updated_at__gt=after), "created_at")
    )


def rebuild(days: set[date]) -> int:
    return rebuild_days(rollup=ROLLUP, sources=SOURCES, days=days)


SPEC = rollup_register(RollupSpec(name=ROLLUP, touched=touched, rebuild=rebuild))

"""The "referrals" rollup: demand (referrals received, signposted with no referral, gaps in service) and flow
(each step a referral takes), counted by day from referrals, their status events and the signpost records.

Which day a fact belongs to (ADR 0020):
- received: the referral's received date;
- a flow step (triaged, accepted, first contact, engaged, closed, declined, re-routed, not engaged, re-opened):
  the local date of the status event;
- signposted or a gap: the local date the routing outcome was recorded.

The service of a flow step is the service that held the referral when the event happened (the event's own
service); for "received" it is the service holding the referral now (a re-route moves the demand with it).
The other categories (district, offence group, route in, age band) are the referral's own.

A day is rebuilt when a referral received on it, or with an event on it, was saved after the last refresh;
deleting rows never touches a day, so what retention removes stays counted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from onedoor.insights.cells import NOT_RECORDED
from onedoor.insights.rollups import RollupSpec, rollup_register
from onedoor.insights.rollups_a.store import FactSource, age_band_case, code, grouped, local_day, on_days, rebuild_days
from onedoor.referrals.models import Referral, SignpostRecord, Status, StatusEvent

ROLLUP = "referrals"


def referral_columns(prefix: str) -> dict[str, Any]:
    """The district, offence group, route in and age band of the referral at `prefix` ("" for a Referral)."""
    return {
        "district": code(f"{prefix}district__gss_code"),
        "offence_group": code(f"{prefix}offence_group__slug"),
        "source": F(f"{prefix}source"),
        "age_band": age_band_case(f"{prefix}age_at_referral"),
    }


def reason(field: str) -> Case:
    return Case(When(**{field: ""}, then=Value(NOT_RECORDED)), default=F(field), output_field=CharField())


def _received(days: set[date]) -> QuerySet[Any]:
    qs = Referral.objects.filter(on_days("received_on", days, moment=False))
    return grouped(
        qs,
        day=F("received_on"),
        service=code("current_service__slug"),
        **referral_columns(""),
        detail=Value(""),
    )


def _earlier(status: str, **extra: Any) -> Exists:
    """An earlier event of the same referral reaching the same status: the step counts once, the first time."""
    return Exists(
        StatusEvent.objects.filter(referral=OuterRef("referral"), to_status=status, **extra).filter(
            Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk"))
        )
    )


def _events(days: set[date], status: str, **extra: Any) -> QuerySet[StatusEvent]:
    return StatusEvent.objects.filter(on_days("at", days, moment=True), to_status=status, **extra)


def _event_rows(qs: QuerySet[StatusEvent], **overrides: Any) -> QuerySet[Any]:
    columns: dict[str, Any] = {
        "day": local_day("at"),
        "service": code("service__slug"),
        **referral_columns("referral__"),
        "detail": Value(""),
    }
    columns.update(overrides)
    return grouped(qs, **columns)


def _first_step(status: str) -> FactSource:
    # Accepting a closed referral is re-opening it, counted apart; a first acceptance is anything else.
    extra: dict[str, Any] = {} if status != Status.ACCEPTED else {"from_status__in": _NOT_CLOSED}

    def rows(days: set[date]) -> QuerySet[Any]:
        return _event_rows(_events(days, status, **extra).exclude(_earlier(status, **extra)))

    return FactSource(fact=f"flow.{status}", rows=rows)


_NOT_CLOSED = [s for s in ("", *Status.values) if s != Status.CLOSED]


def _declined(days: set[date]) -> QuerySet[Any]:
    return _event_rows(_events(days, Status.DECLINED), detail=reason("reason_code"))


def _not_engaged(days: set[date]) -> QuerySet[Any]:
    return _event_rows(_events(days, Status.NOT_ENGAGED), detail=reason("reason_code"))


def _rerouted(days: set[date]) -> QuerySet[Any]:
    # A re-route event carries the service it went to; the service it came from held the event before it.
    before = (
        StatusEvent.objects.filter(referral=OuterRef("referral"))
        .filter(Q(at__lt=OuterRef("at")) | Q(at=OuterRef("at"), pk__lt=OuterRef("pk")))
        .order_by("-at", "-pk")
        .values("service__slug")[:1]
    )
    from_service = Coalesce(Subquery(before), Value(NOT_RECORDED), output_field=CharField())
    return _event_rows(_events(days, Status.REROUTED), service=from_service, detail=code("service__slug"))


def _reopened(days: set[date]) -> QuerySet[Any]:
    return _event_rows(_events(days, Status.ACCEPTED, from_status=Status.CLOSED))


def _signposts(*, gap: bool) -> FactSource:
    def rows(days: set[date]) -> QuerySet[Any]:
        qs = SignpostRecord.objects.filter(on_days("created_at", days, moment=True), gap=gap)
        return grouped(
            qs,
            day=local_day("created_at"),
            service=Value(NOT_RECORDED),
            district=code("district__gss_code"),
            offence_group=code("offence_group__slug"),
            source=F("source"),
            age_band=reason("age_band"),
            detail=Value(""),
        )

    return FactSource(fact="demand.gap" if gap else "demand.signposted", rows=rows)


FUNNEL = (Status.TRIAGED, Status.ACCEPTED, Status.CONTACTED, Status.ENGAGED, Status.CLOSED)

SOURCES = (
    FactSource(fact="demand.received", rows=_received),
    _signposts(gap=False),
    _signposts(gap=True),
    *(_first_step(s) for s in FUNNEL),
    FactSource(fact="flow.declined", rows=_declined),
    FactSource(fact="flow.not_engaged", rows=_not_engaged),
    FactSource(fact="flow.rerouted", rows=_rerouted),
    FactSource(fact="flow.reopened", rows=_reopened),
)


def _dates(qs: QuerySet[Any], field: str, *, moment: bool) -> set[date]:
    values = (
        qs.annotate(_d=local_day(field)).values_list("_d", flat=True) if moment else qs.values_list(field, flat=True)
    )
    return {d for d in values.order_by().distinct() if d is not None}


def touched(since: datetime | None) -> set[date]:
    """The days whose facts may have changed after `since` (every day with a fact, for None)."""
    if since is None:
        return (
            _dates(Referral.objects.all(), "received_on", moment=False)
            | _dates(StatusEvent.objects.all(), "at", moment=True)
            | _dates(SignpostRecord.objects.all(), "created_at", moment=True)
        )
    after = since  # rollups_refresh already looks SETTLE behind its watermark
    return (
        _dates(Referral.objects.filter(updated_at__gt=after), "received_on", moment=False)
        | _dates(StatusEvent.objects.filter(referral__updated_at__gt=after), "at", moment=True)
        | _dates(SignpostRecord.objects.filter(created_at__gt=after), "created_at", moment=True)
    )


def rebuild(days: set[date]) -> int:
    return rebuild_days(rollup=ROLLUP, sources=SOURCES, days=days)


SPEC = rollup_register(RollupSpec(name=ROLLUP, touched=touched, rebuild=rebuild))

"""What the measures of Demand, Police reach, Flow and Partnership share: the breakdowns every referral has, and
the dimensions of their own (a reason, a destination) that they register."""

from __future__ import annotations

from onedoor.directory.models import Service, ServiceKind
from onedoor.insights import dimensions as dims
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category

# Every fact about a referral can be broken down by these, and filtered by them.
SHARED = (dims.SERVICE, dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND)
# A fact with no service (a signposting, a gap in service) has the others.
NO_SERVICE = (dims.DISTRICT, dims.OFFENCE_GROUP, dims.SOURCE, dims.AGE_BAND)

_NR = Category(NOT_RECORDED, NOT_RECORDED_LABEL)


def commissioned_services() -> tuple[Category, ...]:
    services = Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name")
    return (*(Category(s.slug, s.name) for s in services), _NR)


def every_service() -> tuple[Category, ...]:
    return (*(Category(s.slug, s.name) for s in Service.objects.order_by("name")), _NR)


def choices(pairs: object) -> tuple[Category, ...]:
    """Categories from (code, label) pairs, with "not recorded" last."""
    return (*(Category(str(code), str(label)) for code, label in pairs), _NR)  # type: ignore[attr-defined]

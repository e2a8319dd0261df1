"""The dimensions a measure can be broken down by, and each one's complete list of categories, "not
recorded" included. Measures, filters and tables all use these ids and codes, so a district or an age band
means the same on every page and in every export."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from onedoor.core.models import Characteristic, DemographicCategory, District, NeedCategory, OffenceGroup
from onedoor.directory.models import Satisfaction, Service, ServiceKind
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category
from onedoor.referrals.models import Source
from onedoor.referrals.services import age_band

T = TypeVar("T")

SERVICE = "service"
DISTRICT = "district"
OFFENCE_GROUP = "offence_group"
SOURCE = "source"
AGE_BAND = "age_band"
# The protected characteristics, by their `Characteristic` value.
SEX = Characteristic.SEX.value
GENDER_IDENTITY = Characteristic.GENDER_IDENTITY.value
ETHNICITY = Characteristic.ETHNICITY.value
DISABILITY = Characteristic.DISABILITY.value
RELIGION = Characteristic.RELIGION.value
SEXUAL_ORIENTATION = Characteristic.SEXUAL_ORIENTATION.value
CHARACTERISTICS = (SEX, GENDER_IDENTITY, ETHNICITY, DISABILITY, RELIGION, SEXUAL_ORIENTATION)

# Dimensions of some measures only (outcomes, timeliness): one of the eight categories of need (by slug), an
# answer on the feedback form (1 to 5), and whole working days, the histogram a median or 90th percentile is
# read from (codes "0", "1", ...: only the days that occur are categories, so these come with the cube).
NEED = "need"
SATISFACTION = "satisfaction"
WORKING_DAYS = "working_days"

# The page filters: one category each, or none.
FILTER_DIMENSIONS = (SERVICE, DISTRICT, OFFENCE_GROUP, SOURCE, AGE_BAND)

DIMENSION_TITLES = {
    SERVICE: "Service",
    DISTRICT: "District",
    OFFENCE_GROUP: "Offence group",
    SOURCE: "Route in",
    AGE_BAND: "Age band",
    **{c.value: str(c.label) for c in Characteristic},
    NEED: "Category of need",
    SATISFACTION: "Satisfaction",
    WORKING_DAYS: "Working days",
}

# Age bands as `onedoor.referrals.services.age_band` codes them, youngest first.
AGE_BANDS = (
    Category("under-16", "Under 16"),
    Category("16-to-24", "16 to 24"),
    Category("25-to-34", "25 to 34"),
    Category("35-to-44", "35 to 44"),
    Category("45-to-54", "45 to 54"),
    Category("55-to-64", "55 to 64"),
    Category("65-and-over", "65 and over"),
    Category(NOT_RECORDED, NOT_RECORDED_LABEL),
)

_NOT_RECORDED = Category(NOT_RECORDED, NOT_RECORDED_LABEL)


def age_band_of(age: int | None) -> str:
    """The age band code for an age at referral (the same bands routing uses)."""
    return age_band(age)


# What one page reads more than once (a dimension's categories, a provider's service codes): kept for the
# page while `page_cache()` is open, so the page's query count does not grow with its number of tables.
_PAGE: ContextVar[dict[Hashable, Any] | None] = ContextVar("insights_page_cache", default=None)


@contextmanager
def page_cache() -> Iterator[None]:
    token = _PAGE.set({})
    try:
        yield
    finally:
        _PAGE.reset(token)


def page_cached(key: Hashable, make: Callable[[], T]) -> T:
    """`make()`, once per open `page_cache()` (every time when none is open)."""
    cache = _PAGE.get()
    if cache is None:
        return make()
    if key not in cache:
        cache[key] = make()
    return cast(T, cache[key])


def categories(dimension: str) -> tuple[Category, ...]:
    """All the categories of `dimension`, in display order (see `_categories`), read once per page."""
    return page_cached(("categories", dimension), lambda: _categories(dimension))


def _categories(dimension: str) -> tuple[Category, ...]:
    """All the categories of `dimension`, in display order. Services are the commissioned ones (plus "not
    recorded" for a referral no service holds); districts and offence groups come from the area's reference
    data; a demographic characteristic's own "not recorded" category (if it has one) stands for a referral
    with none recorded."""
    if dimension == SERVICE:
        # Codes and names only: a district's Census JSON, say, is not needed to list it.
        services = Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name").values_list("slug", "name")
        return (*(Category(slug, name) for slug, name in services), _NOT_RECORDED)
    if dimension == DISTRICT:
        districts = District.objects.values_list("gss_code", "name")
        return (*(Category(code, name) for code, name in districts), _NOT_RECORDED)
    if dimension == OFFENCE_GROUP:
        groups = OffenceGroup.objects.order_by("order", "name").values_list("slug", "name")
        return (*(Category(slug, name) for slug, name in groups), _NOT_RECORDED)
    if dimension == SOURCE:
        return tuple(Category(str(value), str(label)) for value, label in Source.choices)
    if dimension == AGE_BAND:
        return AGE_BANDS
    if dimension in _EXTRA:
        return _EXTRA[dimension]()
    if dimension in CHARACTERISTICS:
        rows = DemographicCategory.objects.filter(characteristic=dimension).order_by("order", "id")
        found = [Category(c.code, c.label) for c in rows]
        if NOT_RECORDED not in {c.code for c in found}:
            found.append(_NOT_RECORDED)
        return tuple(found)
    if dimension == NEED:
        return tuple(Category(n.slug, n.name) for n in NeedCategory.objects.order_by("number"))
    if dimension == SATISFACTION:
        return tuple(Category(str(value), str(label)) for value, label in Satisfaction.choices)
    raise KeyError(f"no dimension {dimension!r}")


# Dimensions a measure group adds for a breakdown of its own (a decline reason, a destination service): the
# measures module registers them, with their title and how to list their categories.
_EXTRA: dict[str, Callable[[], tuple[Category, ...]]] = {}


def dimension_register(dimension: str, *, title: str, categories: Callable[[], tuple[Category, ...]]) -> str:
    """Add a dimension of a measure group's own; returns its id. Registering one id twice is a bug."""
    if dimension in DIMENSION_TITLES:
        raise ValueError(f"dimension {dimension!r} is already defined")
    DIMENSION_TITLES[dimension] = title
    _EXTRA[dimension] = categories
    return dimension

"""The dimensions a measure can be broken down by, and each one's complete list of categories, "not
recorded" included. Measures, filters and tables all use these ids and codes, so a district or an age band
means the same on every page and in every export."""

from __future__ import annotations

from collections.abc import Callable

from onedoor.core.models import Characteristic, DemographicCategory, District, OffenceGroup
from onedoor.directory.models import Service, ServiceKind
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category
from onedoor.referrals.models import Source
from onedoor.referrals.services import age_band

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

# The page filters: one category each, or none.
FILTER_DIMENSIONS = (SERVICE, DISTRICT, OFFENCE_GROUP, SOURCE, AGE_BAND)

DIMENSION_TITLES = {
    SERVICE: "Service",
    DISTRICT: "District",
    OFFENCE_GROUP: "Offence group",
    SOURCE: "Route in",
    AGE_BAND: "Age band",
    **{c.value: str(c.label) for c in Characteristic},
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

# Dimensions a measure module adds (the context pages' public crime type, IMD decile, ...): their ids,
# titles and categories, registered at import time. `categories` answers for them like for the rest.
_REGISTERED: dict[str, Callable[[], tuple[Category, ...]]] = {}


def dimension_register(dimension: str, *, title: str, categories: Callable[[], tuple[Category, ...]]) -> str:
    if dimension in DIMENSION_TITLES and dimension not in _REGISTERED:
        raise ValueError(f"dimension {dimension!r} is already defined")
    _REGISTERED[dimension] = categories
    DIMENSION_TITLES[dimension] = title
    return dimension


def age_band_of(age: int | None) -> str:
    """The age band code for an age at referral (the same bands routing uses)."""
    return age_band(age)


def categories(dimension: str) -> tuple[Category, ...]:
    """All the categories of `dimension`, in display order. Services are the commissioned ones (plus "not
    recorded" for a referral no service holds); districts and offence groups come from the area's reference
    data; a demographic characteristic's own "not recorded" category (if it has one) stands for a referral
    with none recorded."""
    if dimension == SERVICE:
        services = Service.objects.filter(kind=ServiceKind.COMMISSIONED).order_by("name")
        return (*(Category(s.slug, s.name) for s in services), _NOT_RECORDED)
    if dimension == DISTRICT:
        return (*(Category(d.gss_code, d.name) for d in District.objects.all()), _NOT_RECORDED)
    if dimension == OFFENCE_GROUP:
        groups = OffenceGroup.objects.order_by("order", "name")
        return (*(Category(g.slug, g.name) for g in groups), _NOT_RECORDED)
    if dimension == SOURCE:
        return tuple(Category(str(value), str(label)) for value, label in Source.choices)
    if dimension == AGE_BAND:
        return AGE_BANDS
    if dimension in _REGISTERED:
        return _REGISTERED[dimension]()
    if dimension in CHARACTERISTICS:
        rows = DemographicCategory.objects.filter(characteristic=dimension).order_by("order", "id")
        found = [Category(c.code, c.label) for c in rows]
        if NOT_RECORDED not in {c.code for c in found}:
            found.append(_NOT_RECORDED)
        return tuple(found)
    raise KeyError(f"no dimension {dimension!r}")

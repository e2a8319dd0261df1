"""The dimensions the context and police profile measures add, registered with `onedoor.insights.dimensions`
so that `categories(dim)` answers for them as for the rest."""

from __future__ import annotations

from onedoor.core.models import CategoryKind, DemographicCategory
from onedoor.insights.cells import NOT_RECORDED, NOT_RECORDED_LABEL, Category
from onedoor.insights.context.vocab import slug, vocabularies
from onedoor.insights.dimensions import dimension_register

PREFER_NOT_TO_SAY = "prefer-not-to-say"
_NOT_RECORDED = Category(NOT_RECORDED, NOT_RECORDED_LABEL)


def _crime_types() -> tuple[Category, ...]:
    # Recorded crime only: anti-social behaviour is not a crime, and is counted apart.
    return tuple(Category(t.code, t.label) for t in vocabularies().crime_types.values() if not t.asb)


def _outcome_groups() -> tuple[Category, ...]:
    groups = vocabularies().outcome_groups
    return (*(Category(code, label) for code, label in groups.items()), Category("none", "No outcome given"))


def _imd_deciles() -> tuple[Category, ...]:
    return (
        Category("1", "1 (most deprived)"),
        *(Category(str(d), str(d)) for d in range(2, 10)),
        Category("10", "10 (least deprived)"),
        Category(NOT_RECORDED, "No IMD rank"),
    )


def ethnic_group_of(category: DemographicCategory | None) -> str:
    """The five-group code of an ethnicity category, for comparison with the Census."""
    if category is None or category.kind == CategoryKind.NOT_RECORDED:
        return NOT_RECORDED
    if category.kind == CategoryKind.PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    return slug(category.group) if category.group else NOT_RECORDED


def _ethnic_groups() -> tuple[Category, ...]:
    groups: list[str] = []
    for group in (
        DemographicCategory.objects.filter(characteristic="ethnicity", kind=CategoryKind.ANSWER)
        .order_by("order")
        .values_list("group", flat=True)
    ):
        if group and group not in groups:
            groups.append(group)
    return (*(Category(slug(g), g) for g in groups), Category(PREFER_NOT_TO_SAY, "Prefer not to say"), _NOT_RECORDED)


def _yes_no() -> tuple[Category, ...]:
    return (Category("yes", "Yes"), Category("no", "No"))


PUBLIC_CRIME_TYPE = dimension_register("public_crime_type", title="Public crime type", categories=_crime_types)
OUTCOME_GROUP = dimension_register("outcome_group", title="Outcome group", categories=_outcome_groups)
IMD_DECILE = dimension_register("imd_decile", title="IMD 2019 decile of LSOA", categories=_imd_deciles)
ETHNIC_GROUP = dimension_register("ethnic_group", title="Ethnic group", categories=_ethnic_groups)
CONSENT = dimension_register("consent", title="Consented to share details", categories=_yes_no)
REPEAT = dimension_register("repeat", title="Repeat victim", categories=_yes_no)

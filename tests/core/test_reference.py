import pytest

from onedoor.core.models import (
    CategoryKind,
    Characteristic,
    DemographicCategory,
    District,
    Flag,
    NeedCategory,
    OffenceGroup,
    OutcomeType,
    ReferenceDataVersion,
    VictimsCodeRight,
)

ISSUE_OFFENCE_SLUGS = [
    "homicide",
    "death-serious-injury-unlawful-driving",
    "violence-with-injury",
    "violence-without-injury",
    "stalking-harassment",
    "rape",
    "other-sexual-offences",
    "robbery-business",
    "robbery-personal",
    "burglary-residential",
    "burglary-business-community",
    "vehicle-offences",
    "theft-from-person",
    "bicycle-theft",
    "shoplifting",
    "other-theft",
    "criminal-damage-arson",
    "drug-offences",
    "possession-weapons",
    "public-order",
    "misc-crimes-against-society",
    "fraud",
    "computer-misuse",
    "anti-social-behaviour",
]
FLAGS = [
    "hate",
    "domestic-abuse",
    "child-sexual-exploitation",
    "child-criminal-exploitation",
    "modern-slavery",
    "sexual-exploitation",
    "repeat",
    "vulnerable",
    "cj-substance-use",
    "road-traffic-collision",
]

pytestmark = pytest.mark.django_db


def test_offence_groups_use_exactly_the_agreed_slugs_in_order() -> None:
    assert list(OffenceGroup.objects.values_list("slug", flat=True)) == ISSUE_OFFENCE_SLUGS


def test_flags() -> None:
    assert list(Flag.objects.values_list("slug", flat=True)) == FLAGS


def test_five_districts_with_gss_codes() -> None:
    assert dict(District.objects.values_list("gss_code", "name")) == {
        "E07000218": "North Warwickshire",
        "E07000219": "Nuneaton and Bedworth",
        "E07000220": "Rugby",
        "E07000221": "Stratford-on-Avon",
        "E07000222": "Warwick",
    }


def test_ethnicity_has_19_categories_in_5_groups() -> None:
    answers = DemographicCategory.objects.filter(characteristic=Characteristic.ETHNICITY, kind=CategoryKind.ANSWER)
    assert answers.count() == 19
    assert answers.values("group").distinct().count() == 5


@pytest.mark.parametrize("characteristic", Characteristic.values)
def test_every_characteristic_keeps_prefer_not_to_say_apart_from_not_recorded(characteristic: str) -> None:
    kinds = set(DemographicCategory.objects.filter(characteristic=characteristic).values_list("kind", flat=True))
    assert {CategoryKind.PREFER_NOT_TO_SAY, CategoryKind.NOT_RECORDED, CategoryKind.ANSWER} <= kinds
    pnts = DemographicCategory.objects.get(characteristic=characteristic, kind=CategoryKind.PREFER_NOT_TO_SAY)
    nr = DemographicCategory.objects.get(characteristic=characteristic, kind=CategoryKind.NOT_RECORDED)
    assert pnts.pk != nr.pk and pnts.code != nr.code


def test_needs_rights_and_outcomes() -> None:
    assert NeedCategory.objects.count() == 8
    rights = VictimsCodeRight.objects.filter(code_version="2020")
    assert list(rights.values_list("number", flat=True)) == list(range(1, 13))
    assert all(r.plain_english for r in rights)
    assert list(OutcomeType.objects.values_list("number", flat=True)) == list(range(23))
    assert OutcomeType.objects.get(number=0).exclude_from_totals
    assert OutcomeType.objects.filter(needs_verification=True).count() == 23


def test_each_dataset_records_its_version_and_source() -> None:
    datasets = set(ReferenceDataVersion.objects.values_list("dataset", flat=True))
    assert {
        "districts",
        "offence_groups",
        "flags",
        "demographics",
        "needs",
        "victims_code_rights",
        "outcome_types",
    } <= datasets
    assert all(v.source for v in ReferenceDataVersion.objects.all())

"""Context for the commissioner's figures: where LSOAs lie, recorded crime from the public files, Census
comparators, district outlines for the map, and the police profile rollup. Nothing here is about a person:
the public crime files are anonymous, and every row is a count."""

from __future__ import annotations

from django.db import models


class LsoaArea(models.Model):
    """One LSOA from an ONS lookup: its district, whether that district is in the area, and its IMD rank."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100, blank=True)
    district_code = models.CharField(max_length=9)
    district_name = models.CharField(max_length=100, blank=True)
    in_area = models.BooleanField(default=False)
    imd_rank = models.PositiveIntegerField(null=True, blank=True, help_text="1 is the most deprived")
    lookup = models.CharField(max_length=120, help_text="The ONS lookup it came from, for example LSOA11-LAD19")

    class Meta:
        indexes = [models.Index(fields=["in_area", "district_code"], name="ctx_lsoa_area_district")]

    def __str__(self) -> str:
        return self.code


class FileKind(models.TextChoices):
    STREET = "street", "Street-level crimes"
    OUTCOMES = "outcomes", "Outcomes"


class PublicCrimeMonth(models.Model):
    """One month of one force's public file of one kind, as last imported: a newer file replaces it."""

    force_code = models.CharField(max_length=9)
    month = models.DateField(help_text="The first day of the month")
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    file_name = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of this month's rows as read")
    rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()
    replaced_count = models.PositiveIntegerField(default=0, help_text="Times a newer file replaced it")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["force_code", "month", "kind"], name="ctx_public_month_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=FileKind.values), name="ctx_public_month_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.force_code} {self.month:%Y-%m} {self.kind}"


class Location(models.TextChoices):
    IN_AREA = "in_area", "In the area"
    OUTSIDE = "outside", "Outside the area"
    NONE = "none", "No location"


class PublicCrimeCount(models.Model):
    """Rows of a public file with the same month, LSOA, type and outcome: a count, never a crime's details."""

    month_file = models.ForeignKey(PublicCrimeMonth, on_delete=models.CASCADE, related_name="counts")
    month = models.DateField()
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    location = models.CharField(max_length=10, choices=Location.choices)
    district_code = models.CharField(max_length=9, blank=True)
    lsoa_code = models.CharField(max_length=9, blank=True)
    crime_type = models.CharField(max_length=60, blank=True)
    outcome = models.CharField(max_length=80, blank=True)
    asb = models.BooleanField(default=False)
    has_crime_id = models.BooleanField(default=False)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind", "month", "location"], name="ctx_public_count_month")]
        constraints = [
            models.CheckConstraint(condition=models.Q(location__in=Location.values), name="ctx_public_count_location"),
            models.CheckConstraint(condition=models.Q(kind__in=FileKind.values), name="ctx_public_count_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.lsoa_code or self.location}: {self.n}"


class CensusTable(models.Model):
    """A Census table loaded as a comparator: which table, which Census, where it came from."""

    table = models.CharField(max_length=20, help_text="For example TS007, TS021, KS201EW")
    year = models.PositiveSmallIntegerField()
    characteristic = models.CharField(max_length=30, help_text="A dimension id: age_band, ethnicity, sex")
    title = models.CharField(max_length=200)
    source = models.CharField(max_length=300)
    loaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["characteristic", "table", "year"], name="ctx_census_table_unique"),
        ]

    def __str__(self) -> str:
        return f"Census {self.year} {self.table}"

    @property
    def label(self) -> str:
        return f"Census {self.year}, table {self.table} ({self.source})"


class CensusCount(models.Model):
    table = models.ForeignKey(CensusTable, on_delete=models.CASCADE, related_name="counts")
    district_code = models.CharField(max_length=9)
    category = models.CharField(max_length=80, help_text="The dimension's category code (a group for ethnicity)")
    persons = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["table", "district_code", "category"], name="ctx_census_count_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.district_code} {self.category}: {self.persons}"


class DistrictShape(models.Model):
    """A district's outline for the map, dissolved from LSOA boundaries and simplified when it was loaded."""

    district_code = models.CharField(max_length=9, unique=True)
    rings = models.JSONField(help_text="Outer rings as lists of [longitude, latitude], simplified")
    source = models.CharField(max_length=200)
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.district_code

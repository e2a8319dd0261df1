"""The services directory, on the Open Referral UK (HSDS 3.0) model: organisations, services, locations,
schedules, languages, phones, service areas and taxonomy terms. Commissioned services also take
referrals through OneDoor; the others are listed so that people can get in touch themselves.

Every directory record carries a stable UUID, the identifier the Open Referral UK API publishes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.db import models

from onedoor.accounts.models import Organisation

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class ServiceKind(models.TextChoices):
    COMMISSIONED = "commissioned", "Commissioned service (takes referrals through OneDoor)"
    SIGNPOST = "signpost", "Signposting only (commissioned separately, or national)"


class ServiceStatus(models.TextChoices):
    """Open Referral UK's service status codes."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class DirectoryOrganisation(models.Model):
    """An organisation that delivers services, as the directory publishes it. Where the organisation
    also has staff on OneDoor, `account` links it to their sign-in organisation."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    account = models.OneToOneField(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_entry"
    )
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation (directory)"
        verbose_name_plural = "organisations (directory)"

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField()
    version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term in one of OneDoor's taxonomies: crime types, needs, audience, and kinds of help."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    class Meta:
        ordering = ["taxonomy", "code"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_unique_code")]

    def __str__(self) -> str:
        return f"{self.taxonomy.slug}:{self.code}"


class Service(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, help_text="How staff and referrers usually say it")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    provider = models.ForeignKey(
        DirectoryOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        help_text="The organisation that delivers the service, as the directory lists it",
    )
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    status = models.CharField(max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    description = models.TextField(blank=True)
    remit = models.TextField(blank=True, help_text="Who the service is commissioned to support")
    eligibility_description = models.TextField(blank=True, help_text="Who the service is for, in plain words")
    what_happens_next = models.TextField(
        blank=True, help_text="Shown to the person, in their words: what happens when you get in touch"
    )
    referrer_next_steps = models.TextField(
        blank=True,
        help_text="Shown to referrers on their referral while first contact is owed: what the team will do next",
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField(blank=True)
    hours = models.CharField(max_length=200, blank=True)
    urgent_phone = models.CharField(
        max_length=40,
        blank=True,
        help_text="The line a referrer calls about a referral that cannot wait (risk to life or immediate danger); "
        "blank: the service's phone",
    )
    team_mailbox = models.EmailField(
        blank=True,
        help_text="The team's functional mailbox (for staff, never published): urgent referrals are emailed here "
        "at once, with the team leads",
    )
    is_free = models.BooleanField(default=True)
    fees_description = models.CharField(max_length=300, blank=True)
    accessibility = models.TextField(blank=True, help_text="How the service can be reached by disabled people")
    interpretation_services = models.CharField(max_length=300, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    national = models.BooleanField(default=False, help_text="Available across England (or the UK), not only locally")
    districts = models.ManyToManyField("core.District", blank=True, related_name="+", help_text="Empty for all")
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    offers = models.JSONField(
        default=list,
        blank=True,
        help_text="The interventions this service offers (codes from casework's list); empty allows any",
    )
    first_contact_target_days = models.PositiveSmallIntegerField(
        default=5, help_text="First contact is due within this many working days of receipt"
    )
    max_contact_attempts = models.PositiveSmallIntegerField(default=3)
    contact_window_days = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(default=True)
    last_checked = models.DateField(null=True, blank=True)
    data_notes = models.TextField(
        blank=True, help_text="For administrators: details to check ([verify]), never shown to the public"
    )
    modified_at = models.DateTimeField(auto_now=True, null=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ServiceKind.values), name="service_kind_valid"),
            models.CheckConstraint(
                condition=~models.Q(kind="commissioned") | models.Q(organisation__isnull=False),
                name="commissioned_service_has_provider",
            ),
            models.CheckConstraint(condition=models.Q(status__in=ServiceStatus.values), name="service_status_valid"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_commissioned(self) -> bool:
        return self.kind == ServiceKind.COMMISSIONED

    def open_at(self, moment: datetime) -> bool | None:
        """Whether the service is open at `moment` (local time): None when its hours are not known."""
        schedules = list(self.schedules.all())
        if not schedules:
            return None
        return any(s.open_at(moment) for s in schedules)

    def fits_age(self, age: int | None) -> bool:
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)


class PhoneKind(models.TextChoices):
    VOICE = "voice", "Phone"
    TEXT = "text", "Text message"
    TEXTPHONE = "textphone", "Textphone"


class Phone(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40)
    kind = models.CharField(max_length=12, choices=PhoneKind.choices, default=PhoneKind.VOICE)
    description = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PhoneKind.values), name="phone_kind_valid"),
        ]
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def tel(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit() or ch == "+")


class Language(models.Model):
    """A language the service works in without an interpreter."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=8, help_text="ISO 639 code, for example en, pl, pa, ur")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    accessibility = models.TextField(blank=True, help_text="Step-free access, hearing loop, accessible toilet …")
    transport = models.TextField(blank=True, help_text="How to get there: buses, trains, parking")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="service_at_location_unique")]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Schedule(models.Model):
    """Weekly opening hours (an RFC 5545 weekly rule: days, opens, closes). Out-of-hours lines are
    separate rows with their own description."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    byday = models.CharField(max_length=30, help_text="Days it applies, for example MO,TU,WE,TH,FR")
    opens_at = models.TimeField()
    closes_at = models.TimeField(help_text="Use 23:59 for midnight")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["service", "id"]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    @property
    def days(self) -> list[str]:
        return [d for d in self.byday.split(",") if d in WEEKDAYS]

    def open_at(self, moment: datetime) -> bool:
        day = WEEKDAYS[moment.weekday()]
        now = moment.time()
        if self.closes_at <= self.opens_at:  # runs past midnight, for example 17:00 to 00:00
            yesterday = WEEKDAYS[(moment.weekday() - 1) % 7]
            return (day in self.days and now >= self.opens_at) or (yesterday in self.days and now < self.closes_at)
        end = self.closes_at if self.closes_at != time(23, 59) else time(23, 59, 59, 999999)
        return day in self.days and self.opens_at <= now <= end


class ServiceArea(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    extent = models.CharField(max_length=200, blank=True, help_text="GSS codes of the areas covered")

    def __str__(self) -> str:
        return self.name


class TranslationStatus(models.TextChoices):
    NEEDS_REVIEW = "needs_review", "Needs review by a native speaker"
    IN_REVIEW = "in_review", "Being reviewed"
    REVIEWED = "reviewed", "Reviewed by a native speaker"


class TranslationReview(models.Model):
    """Whether the public pages' translation into a language has been checked by a native speaker.
    The first translations were written by the developers, so each starts as 'needs review'."""

    language = models.CharField(max_length=10, unique=True)
    status = models.CharField(max_length=20, choices=TranslationStatus.choices, default=TranslationStatus.NEEDS_REVIEW)
    reviewer = models.CharField(max_length=120, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TranslationStatus.values), name="translation_status_valid"
            ),
        ]
        ordering = ["language"]

    def __str__(self) -> str:
        return f"{self.language}: {self.get_status_display()}"


TRANSLATED_FIELDS = ("eligibility_description", "what_happens_next")


class ServiceTranslation(models.Model):
    """A service card's words in one language other than English. The name stays as the service publishes
    it. Each text field keeps the English it was translated from (`translated_from`): when the English
    changes, the old translation is no longer shown, and English is shown until it is translated again.
    `contact_notes` translates the words beside each phone number ("how to get in touch"), keyed by the
    English, so a reordered or edited phone falls back to English on its own. `language` is an ISO 639-1
    code, as Open Referral UK's language and taxonomy term records use."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10, help_text="ISO 639-1 code, for example ur, pl, pa, ro")
    eligibility_description = models.TextField(blank=True, help_text="Who the service is for, in this language")
    what_happens_next = models.TextField(blank=True, help_text="What happens when you get in touch, in this language")
    contact_notes = models.JSONField(
        default=dict,
        blank=True,
        help_text="How to get in touch: each phone's English description, with its translation",
    )
    translated_from = models.JSONField(
        default=dict, blank=True, editable=False, help_text="The English each text field was translated from"
    )
    needs_native_review = models.BooleanField(
        default=True, help_text="Not yet checked by a native speaker. Untick once it has been."
    )
    reviewed_by = models.CharField(max_length=200, blank=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service", "language"]
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="service_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service} ({self.language})"

    def stamp(self, fields: list[str] | tuple[str, ...] = TRANSLATED_FIELDS) -> None:
        """Record that each of `fields` translates the service's English as it is now."""
        sources = dict(self.translated_from) if isinstance(self.translated_from, dict) else {}
        for field in fields:
            if getattr(self, field).strip():
                sources[field] = getattr(self.service, field)
            else:
                sources.pop(field, None)
        self.translated_from = sources

    def text(self, field: str) -> str:
        """The translation of `field`, or "" where there is none or it translates English since changed."""
        value: str = getattr(self, field)
        if value.strip() and self.translated_from.get(field) == getattr(self.service, field):
            return value
        return ""


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, "Very satisfied"
    SATISFIED = 4, "Satisfied"
    NEITHER = 3, "Neither satisfied nor dissatisfied"
    DISSATISFIED = 2, "Dissatisfied"
    VERY_DISSATISFIED = 1, "Very dissatisfied"


class FeedbackLink(models.Model):
    """A single-use link to the feedback form, sent when a case closes. It names the service, never the
    person, so the feedback it brings stays anonymous."""

    token = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feedback link {self.pk}"


class Feedback(models.Model):
    """Anonymous feedback. Contact details are kept only when the person asks to be contacted."""

    received_on = models.DateField()
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via_link = models.BooleanField(default=False)
    satisfaction = models.PositiveSmallIntegerField(choices=Satisfaction.choices)
    could_be_better = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    wants_contact = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=100, blank=True)
    contact_detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5), name="feedback_satisfaction_range"
            ),
            models.CheckConstraint(
                condition=models.Q(wants_contact=True) | (models.Q(contact_name="") & models.Q(contact_detail="")),
                name="feedback_contact_only_when_asked",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback {self.pk}"


class Postcode(models.Model):
    """One live postcode from the ONS Postcode Directory (ONSPD, open data), for the area's postcode districts
    only: its centroid and the areas it falls in. It answers "near me" (straight-line distance) and lets
    the referral forms derive the district from a postcode. Loaded with `manage.py load_postcodes`."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text="As ONSPD's pcds: CV34 4RL")
    outward = models.CharField(max_length=4, db_index=True, help_text="The postcode district: CV34")
    latitude = models.FloatField()
    longitude = models.FloatField()
    district_code = models.CharField(max_length=9, help_text="GSS code of the local authority district")
    lsoa_code = models.CharField(max_length=9, blank=True, help_text="LSOA 2021 (or 2011) GSS code")

    class Meta:
        ordering = ["postcode"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="postcode_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.postcode

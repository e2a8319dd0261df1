"""The referral spine: a referral, where it is allocated, its status history and the routing rules."""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onedoor.core.calendar import working_days_between
from onedoor.core.models import DemographicCategory, District, Flag, NeedCategory, OffenceGroup
from onedoor.directory.models import Service

# Defined beside this module and registered with the app through this import.
from onedoor.referrals.models_onward import OnwardKind as OnwardKind
from onedoor.referrals.models_onward import OnwardReferral as OnwardReferral

# Crockford's base32 without I, L, O, U: easy to read aloud on the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    # 40 random bits, five to a character: uniform over the alphabet, with one call to the system's
    # random source instead of eight (the police import makes thousands of these a second).
    bits = int.from_bytes(secrets.token_bytes(5), "big")
    body = "".join(_REFERENCE_ALPHABET[(bits >> shift) & 31] for shift in range(35, -5, -5))
    return f"OD-{body[:4]}-{body[4:]}"


class Source(models.TextChoices):
    PROFESSIONAL = "professional", "Professional referral"
    SELF = "self", "Self-referral"
    POLICE_TRANSFER = "police-transfer", "Police overnight transfer"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    TRIAGED = "triaged", "Triaged"
    ACCEPTED = "accepted", "Accepted"
    WAITING = "waiting", "On the waiting list"
    CONTACT_ATTEMPTED = "contact_attempted", "Contact attempted"
    CONTACTED = "contacted", "Contacted"
    ENGAGED = "engaged", "Support started"
    NOT_ENGAGED = "not_engaged", "Not engaged"
    DECLINED = "declined", "Declined"
    REROUTED = "rerouted", "Re-routed"
    CLOSED = "closed", "Closed"


# Statuses in which the referral is new work for the team that holds it.
NEW_STATUSES = (Status.RECEIVED, Status.TRIAGED, Status.REROUTED)
# Statuses in which first contact is still owed.
AWAITING_CONTACT_STATUSES = (*NEW_STATUSES, Status.ACCEPTED, Status.WAITING, Status.CONTACT_ATTEMPTED)
OPEN_STATUSES = (*AWAITING_CONTACT_STATUSES, Status.CONTACTED, Status.ENGAGED)
FINAL_STATUSES = (Status.NOT_ENGAGED, Status.DECLINED, Status.CLOSED)

POLICE_REFERRAL_DAYS = 2  # Victims' Code, paragraph 4.5: police refer within 2 working days


class Priority(models.IntegerChoices):
    URGENT = 1, "Urgent"
    HIGH = 2, "High"
    STANDARD = 3, "Standard"

    @property
    def slug(self) -> str:
        return self.name.lower()


class ConsentGivenBy(models.TextChoices):
    PERSON = "person", "The person themselves"
    PARENT_GUARDIAN = "parent_guardian", "A parent or guardian"


class LawfulBasis(models.TextChoices):
    NONE = "", "None: consent was given"
    SAFEGUARDING_CHILD = "safeguarding_child", "Safeguarding a child"
    SAFEGUARDING_ADULT = "safeguarding_adult", "Safeguarding an adult at risk"
    VITAL_INTERESTS = "vital_interests", "Protecting someone's life (vital interests)"
    PREVENTION_OF_CRIME = "prevention_of_crime", "Preventing or detecting crime"


class SpecialCategoryCondition(models.TextChoices):
    """The UK GDPR Article 9 condition for the special-category data a referral holds (ethnicity, religion,
    sexual orientation, disability, health, sex life): recorded with every referral (docs/data-protection.md)."""

    NONE = "", "Not recorded (made before conditions were recorded)"
    EXPLICIT_CONSENT = "explicit_consent", "Article 9(2)(a): explicit consent"
    VITAL_INTERESTS = "vital_interests", "Article 9(2)(c): vital interests, where consent cannot be given"
    SAFEGUARDING = (
        "safeguarding",
        "Article 9(2)(g), DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of individuals at risk",
    )
    PREVENTING_CRIME = (
        "preventing_crime",
        "Article 9(2)(g), DPA 2018 Schedule 1 paragraph 10: preventing or detecting unlawful acts",
    )


class ChildBasis(models.TextChoices):
    """For a person under 18: on what footing a child's data came to OneDoor."""

    NOT_A_CHILD = "", "Not a child at referral"
    PARENT_OR_GUARDIAN = "parent_guardian", "Consent of a parent or guardian"
    COMPETENT_CHILD = "competent_child", "The child's own consent, as competent to give it"
    SAFEGUARDING = "safeguarding_child", "Safeguarding the child, without consent (Children Act 1989)"


def special_category_condition(*, consent_given: bool, lawful_basis: str) -> str:
    """The Article 9 condition that follows from how the referral was made."""
    if consent_given:
        return SpecialCategoryCondition.EXPLICIT_CONSENT
    conditions: dict[str, str] = {
        LawfulBasis.SAFEGUARDING_CHILD: SpecialCategoryCondition.SAFEGUARDING,
        LawfulBasis.SAFEGUARDING_ADULT: SpecialCategoryCondition.SAFEGUARDING,
        LawfulBasis.VITAL_INTERESTS: SpecialCategoryCondition.VITAL_INTERESTS,
        LawfulBasis.PREVENTION_OF_CRIME: SpecialCategoryCondition.PREVENTING_CRIME,
    }
    return conditions.get(lawful_basis, SpecialCategoryCondition.NONE)


def child_basis(*, age: int | None, consent_given: bool, consent_given_by: str) -> str:
    if age is None or age >= 18:
        return ChildBasis.NOT_A_CHILD
    if not consent_given:
        return ChildBasis.SAFEGUARDING
    if consent_given_by == ConsentGivenBy.PARENT_GUARDIAN:
        return ChildBasis.PARENT_OR_GUARDIAN
    return ChildBasis.COMPETENT_CHILD


class DeclineReason(models.TextChoices):
    OUT_OF_REMIT = "out_of_remit", "Not within this service's remit"
    OUT_OF_AREA = "out_of_area", "The person lives outside the area this service covers"
    ALREADY_SUPPORTED = "already_supported", "The person is already supported by this service"
    BETTER_PLACED_ELSEWHERE = "better_placed_elsewhere", "Another service is better placed to help"
    CONSENT_WITHDRAWN = "consent_withdrawn", "The person withdrew consent"
    NOT_ENOUGH_INFORMATION = "not_enough_information", "Not enough information to act on the referral"


def reason_label(code: str) -> str:
    """A reason code in words for people: declining reasons by their label, others from the code."""
    if code in DeclineReason.values:
        return str(DeclineReason(code).label)
    return code.replace("_", " ").replace("-", " ").capitalize()


class Referral(models.Model):
    reference = models.CharField(max_length=14, unique=True, default=new_reference, editable=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_organisation = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.STANDARD)
    # Why the priority is what it is, in words, by the area's priority rules when it was set
    # (onedoor.referrals.priority): shown on the team queue beside the priority.
    priority_reasons = models.JSONField(default=list, blank=True)
    current_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="current_referrals"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_referrals"
    )
    received_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField(null=True, blank=True, help_text="First contact due (working days)")
    first_contacted_at = models.DateTimeField(null=True, blank=True)

    # The routing decision, kept so that it can always be explained.
    routing_reason = models.TextField(blank=True)
    routing_gap = models.BooleanField(default=False)
    routing_signpost = models.JSONField(default=list, blank=True)
    routing_rules = models.JSONField(default=list, blank=True)
    secondary_services = models.ManyToManyField(Service, blank=True, related_name="secondary_referrals")

    # The person
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    age_at_referral = models.PositiveSmallIntegerField(null=True, blank=True)
    preferred_language = models.CharField(max_length=60, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    communication_needs = models.CharField(max_length=500, blank=True)
    ethnicity = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")
    sex = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")
    gender_identity = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")
    sexual_orientation = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")
    disability = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")
    religion = models.ForeignKey(DemographicCategory, null=True, on_delete=models.PROTECT, related_name="+")

    # Contact
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    safe_to_call = models.BooleanField(default=False)
    safe_to_text = models.BooleanField(default=False)
    safe_to_email = models.BooleanField(default=False)
    safe_to_leave_voicemail = models.BooleanField(default=False)
    best_times = models.CharField(max_length=200, blank=True)
    phone_is_own = models.BooleanField(default=False)
    contact_check_needed = models.BooleanField(
        default=False, help_text="Contact details must be checked by a person before anyone makes contact"
    )

    # Where
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    postcode = models.CharField(max_length=8, blank=True)

    # The crime
    reported_to_police = models.BooleanField(default=False)
    crime_reference = models.CharField(max_length=40, blank=True)
    offence_group = models.ForeignKey(OffenceGroup, null=True, blank=True, on_delete=models.PROTECT)
    flags = models.ManyToManyField(Flag, blank=True)
    needs = models.ManyToManyField(NeedCategory, blank=True)

    # Why now
    reason = models.CharField(max_length=600, blank=True)
    risks_to_person = models.CharField(max_length=600, blank=True)
    risks_to_staff = models.CharField(max_length=600, blank=True)
    urgent = models.BooleanField(default=False)
    risk_to_life = models.BooleanField(default=False)

    # Consent, or the lawful basis for sharing without it
    consent_given = models.BooleanField(default=False)
    consent_given_by = models.CharField(max_length=20, choices=ConsentGivenBy.choices, blank=True)
    consent_given_on = models.DateField(null=True, blank=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices, blank=True)
    lawful_basis_note = models.CharField(max_length=500, blank=True)
    special_category_condition = models.CharField(max_length=30, choices=SpecialCategoryCondition.choices, blank=True)
    child_basis = models.CharField(max_length=30, choices=ChildBasis.choices, blank=True)

    # The data lifecycle (onedoor.privacy): processing restricted (UK GDPR Article 18) stops everything but
    # storage; an anonymised referral keeps only the fields the commissioner's figures count.
    processing_restricted = models.BooleanField(default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_given_by__in=ConsentGivenBy.values) | models.Q(consent_given_by=""),
                name="referral_consent_given_by_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(lawful_basis__in=LawfulBasis.values) | models.Q(lawful_basis=""),
                name="referral_lawful_basis_valid",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="referral_priority_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="referral_source_valid"),
            models.CheckConstraint(
                condition=Q(special_category_condition__in=SpecialCategoryCondition.values),
                name="referral_special_category_condition_valid",
            ),
            models.CheckConstraint(condition=Q(child_basis__in=ChildBasis.values), name="referral_child_basis_valid"),
            models.CheckConstraint(
                condition=(Q(consent_given=True) & ~Q(consent_given_by="")) | ~Q(lawful_basis=""),
                name="referral_has_consent_or_lawful_basis",
            ),
        ]
        indexes = [
            # The team queue: one service's open referrals, most urgent and soonest due first. Partial, on the
            # open statuses, with status left out of the key, so that the queue reads its page straight off the
            # index in order at any size (ADR 0029); `selectors.queue` filters on exactly OPEN_STATUSES.
            models.Index(
                fields=["current_service", "priority", "due_on", "id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="referral_open_queue_idx",
            ),
            # "My referrals": a referrer's own, newest first, paged by the key (created_at, id) (ADR 0034).
            models.Index(fields=["referrer", "-created_at", "-id"], name="referral_referrer_keyset_idx"),
            # The commissioner's rollups (onedoor.insights): which referrals changed since the last refresh,
            # and the referrals of a day received or first contacted. Dates only ever grow, so each insert
            # adds to the right-hand end of these indexes; police transfers have no first contact yet.
            models.Index(fields=["updated_at"], name="referral_updated_idx"),
            models.Index(fields=["received_on"], name="referral_received_idx"),
            models.Index(
                fields=["first_contacted_at"],
                condition=Q(first_contacted_at__isnull=False),
                name="referral_first_contact_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def priority_slug(self) -> str:
        return Priority(self.priority).name.lower()

    def is_overdue(self, today: date) -> bool:
        return self.status in AWAITING_CONTACT_STATUSES and self.due_on is not None and self.due_on < today

    def overdue_working_days(self, today: date) -> int | None:
        """How many working days first contact is overdue (0 when it fell due on a day since that was not a
        working day), or None when it is not overdue: first contact made, not yet due, or the referral is
        finished (declined, re-routed away, closed), when no clock runs."""
        if not self.is_overdue(today):
            return None
        assert self.due_on is not None
        return working_days_between(self.due_on, today)


class Allocation(models.Model):
    """Each period a referral sits with a service. A service that held it keeps only its own history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="allocations")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="allocations")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["service", "referral"], name="allocation_service_idx")]

    def __str__(self) -> str:
        return f"{self.referral} at {self.service}"


class StatusEvent(models.Model):
    """One step in a referral's timeline. What the referrer sees is `to_status`, the service, the
    reason code and `referrer_note`; nothing else about the case."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason_code = models.CharField(max_length=40, blank=True)
    referrer_note = models.CharField(max_length=500, blank=True)
    suggested_service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Why a re-route went to a service that the routing rules or the directory's eligibility did not fit.
    # For the teams that hold the referral; never shown to the referrer.
    override_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_status__in=Status.values) | models.Q(from_status=""),
                name="event_from_status_valid",
            ),
            models.CheckConstraint(condition=Q(to_status__in=Status.values), name="event_to_status_valid"),
        ]
        # The commissioner's rollups rebuild a day's events.
        indexes = [models.Index(fields=["at"], name="event_at_idx")]

    def __str__(self) -> str:
        return f"{self.referral} → {self.to_status}"

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason_code) if self.reason_code else ""


class Precedence(models.IntegerChoices):
    """The order in which matching rules decide the primary service."""

    CHILD_EXPLOITATION = 1, "Child exploitation and child modern slavery"
    SEXUAL_VIOLENCE = 2, "Sexual violence"
    ADULT_MODERN_SLAVERY = 3, "Adult modern slavery"
    SUBSTANCE_USE = 4, "Substance use"
    SIGNPOSTING = 5, "Domestic abuse and road traffic signposting"
    GENERAL = 6, "General victim service"
    FALLBACK = 7, "Anything else"


class RuleOutcome(models.TextChoices):
    REFER = "refer", "Refer to the service"
    SIGNPOST = "signpost", "Signpost only: commissioned elsewhere (not a gap)"
    OFFER_ONLY = "offer_only", "No referral: a support-offer message only (not a gap)"
    SHOW_FIRST = "show_first", "Show first to the person: these services lead their list (refers nowhere)"


class RoutingRule(models.Model):
    """One row of the routing table. All of its conditions must hold for it to match; an empty
    condition matches anything."""

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    precedence = models.PositiveSmallIntegerField(choices=Precedence.choices)
    order = models.PositiveSmallIntegerField(default=0)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Last day the rule applies (inclusive)")

    offence_groups = models.ManyToManyField(OffenceGroup, blank=True, related_name="+")
    requires_offence_group = models.BooleanField(default=False)
    excluded_offence_groups = models.ManyToManyField(OffenceGroup, blank=True, related_name="+")
    flags_any = models.ManyToManyField(Flag, blank=True, related_name="+")
    flags_all = models.ManyToManyField(Flag, blank=True, related_name="+")
    flags_none = models.ManyToManyField(Flag, blank=True, related_name="+")
    needs_any = models.ManyToManyField(NeedCategory, blank=True, related_name="+")
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="Sources it applies to; empty for all")
    districts = models.ManyToManyField(District, blank=True, related_name="+")

    outcome = models.CharField(max_length=20, choices=RuleOutcome.choices, default=RuleOutcome.REFER)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signpost = models.ManyToManyField(Service, blank=True, related_name="+")
    reason = models.TextField(help_text="Plain English, shown to the referrer")
    public_reason = models.TextField(
        blank=True,
        help_text="Plain words for the person themselves, shown on the public pages instead of the reason",
    )
    note = models.CharField(max_length=300, blank=True, help_text="An action the receiving team must take")

    class Meta:
        ordering = ["precedence", "order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(precedence__in=Precedence.values), name="routing_rule_precedence_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="refer") | Q(service__isnull=False), name="refer_rule_has_service"
            ),
            models.CheckConstraint(condition=Q(outcome__in=RuleOutcome.values), name="routing_rule_outcome_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class SignpostRecord(models.Model):
    """A routing outcome with no referral (signpost only, or a gap), kept without anything personal so
    that the commissioner can count demand and gaps."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    offence_group = models.ForeignKey(OffenceGroup, null=True, blank=True, on_delete=models.PROTECT)
    flags = models.JSONField(default=list)
    age_band = models.CharField(max_length=20, blank=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT)
    gap = models.BooleanField(default=False)
    signpost = models.JSONField(default=list)
    reason = models.TextField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="signpost_source_valid"),
        ]
        # The commissioner's rollups: the records made since the last refresh, and a day's records.
        indexes = [models.Index(fields=["created_at"], name="signpost_created_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {'gap' if self.gap else 'signpost'}"

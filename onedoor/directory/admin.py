from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.directory.models import (
    TRANSLATED_FIELDS,
    DirectoryOrganisation,
    Feedback,
    FeedbackLink,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTranslation,
    Taxonomy,
    TaxonomyTerm,
    TranslationReview,
)


class PhoneInline(admin.TabularInline[Phone, Service]):
    model = Phone
    extra = 0
    exclude = ["uuid"]


class ScheduleInline(admin.TabularInline[Schedule, Service]):
    model = Schedule
    extra = 0
    exclude = ["uuid"]


class LanguageInline(admin.TabularInline[Language, Service]):
    model = Language
    extra = 0
    exclude = ["uuid"]


class ServiceAreaInline(admin.TabularInline[ServiceArea, Service]):
    model = ServiceArea
    extra = 0
    exclude = ["uuid"]


class ServiceAtLocationInline(admin.TabularInline[ServiceAtLocation, Service]):
    model = ServiceAtLocation
    extra = 0
    exclude = ["uuid"]


class ServiceTranslationInline(admin.StackedInline[ServiceTranslation, Service]):
    """The card's words in each other language. A translation is shown only while the English it was
    made from is unchanged; saving a changed translation records that it translates the English as it
    is now. Blank fields show the English."""

    model = ServiceTranslation
    extra = 0
    fields = [
        "language",
        "eligibility_description",
        "what_happens_next",
        "contact_notes",
        "needs_native_review",
        "reviewed_by",
    ]


@admin.register(Service)
class ServiceAdmin(AuditedModelAdmin[Service]):
    list_display = ["name", "slug", "kind", "status", "provider", "national", "active", "last_checked"]
    list_filter = ["kind", "status", "active", "national", "taxonomy_terms__taxonomy"]
    search_fields = ["name", "short_name", "slug", "description"]
    filter_horizontal = ["taxonomy_terms", "districts"]
    readonly_fields = ["uuid", "modified_at"]
    inlines = [
        PhoneInline,
        ScheduleInline,
        LanguageInline,
        ServiceAreaInline,
        ServiceAtLocationInline,
        ServiceTranslationInline,
    ]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is ServiceTranslation:
            for inline in formset.forms:
                edited = [f for f in TRANSLATED_FIELDS if f in inline.changed_data]
                if edited:
                    inline.instance.service = form.instance  # the English as just saved
                    inline.instance.stamp(edited)
        super().save_formset(request, form, formset, change)


@admin.register(DirectoryOrganisation)
class DirectoryOrganisationAdmin(AuditedModelAdmin[DirectoryOrganisation]):
    list_display = ["name", "slug", "account"]
    search_fields = ["name", "slug"]
    readonly_fields = ["uuid", "modified_at"]


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedModelAdmin[Taxonomy]):
    list_display = ["name", "slug", "version"]
    readonly_fields = ["uuid"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(AuditedModelAdmin[TaxonomyTerm]):
    list_display = ["code", "name", "taxonomy"]
    list_filter = ["taxonomy"]
    search_fields = ["code", "name"]
    readonly_fields = ["uuid"]


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin[Location]):
    list_display = ["name", "city", "postal_code"]
    search_fields = ["name", "city", "postal_code"]
    readonly_fields = ["uuid", "modified_at"]


@admin.register(TranslationReview)
class TranslationReviewAdmin(AuditedModelAdmin[TranslationReview]):
    """Which public-page translations a native speaker has checked."""

    list_display = ["language", "status", "reviewer", "reviewed_on"]
    list_filter = ["status"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ["received_on", "satisfaction", "service", "via_link", "wants_contact"]
    list_filter = ["satisfaction", "via_link", "wants_contact"]

    def has_change_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return False


@admin.register(FeedbackLink)
class FeedbackLinkAdmin(AuditedModelAdmin[FeedbackLink]):
    list_display = ["pk", "service", "created_at", "used_at"]
    readonly_fields = ["token", "created_at", "used_at"]

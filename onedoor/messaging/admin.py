from django.contrib import admin
from django.http import HttpRequest

from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.core.admin_filters import known_values_filter
from onedoor.core.pagination import CappedPaginator
from onedoor.messaging.models import InvalidContact, Message, MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedModelAdmin[MessageTemplate]):
    list_display = ["key", "channel", "language_name", "language", "needs_native_review", "reviewed_by", "updated_at"]
    list_filter = ["needs_native_review", "channel", "language", "key"]
    search_fields = ["key", "body"]
    fieldsets = [
        (None, {"fields": ["key", "channel", "language", "language_name", "notify_template_id"]}),
        ("Wording", {"fields": ["subject", "body"]}),
        (
            "Review by a native speaker",
            {
                "fields": ["needs_native_review", "reviewed_by"],
                "description": "Translations start out unreviewed. Ask a native speaker to check the wording, "
                "then untick 'needs native review' and record who checked it.",
            },
        ),
    ]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    """Shows statuses and reasons; the recipient and content stay out of the list."""

    # The table grows by a row per message: a capped count, and no second count of the whole table (ADR 0034).
    paginator = CappedPaginator
    show_full_result_count = False

    list_display = ["reference", "kind", "channel", "status", "withheld_reasons", "attempts", "created_at"]
    # A message's kind is its template's key: the filter lists the templates, not every message's kind.
    list_filter = [
        "status",
        "channel",
        known_values_filter("kind", "kind", lambda: MessageTemplate.objects.values_list("key", flat=True)),
    ]
    exclude = ["to", "personalisation", "person_key", "contact_key"]
    readonly_fields = [
        "kind",
        "channel",
        "template",
        "language",
        "status",
        "withheld_reasons",
        "note",
        "send_after",
        "attempts",
        "provider_id",
        "sent_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(InvalidContact)
class InvalidContactAdmin(admin.ModelAdmin[InvalidContact]):
    list_display = ["channel", "marked_at"]
    exclude = ["contact_key"]

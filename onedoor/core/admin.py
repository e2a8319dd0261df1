from django.contrib import admin
from django.http import HttpRequest

from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.core.admin_filters import known_values_filter
from onedoor.core.audit_actions import AuditAction
from onedoor.core.context import CHANNELS
from onedoor.core.models import (
    AuditEvent,
    DemographicCategory,
    District,
    Flag,
    NeedCategory,
    OffenceGroup,
    OutcomeType,
    ReferenceDataVersion,
    VictimsCodeRight,
)
from onedoor.core.pagination import CappedPaginator

for model in (District, OffenceGroup, Flag, NeedCategory, VictimsCodeRight):
    admin.site.register(model, AuditedModelAdmin)


@admin.register(DemographicCategory)
class DemographicCategoryAdmin(AuditedModelAdmin[DemographicCategory]):
    list_display = ["characteristic", "label", "group", "kind"]
    list_filter = ["characteristic", "kind"]


@admin.register(OutcomeType)
class OutcomeTypeAdmin(AuditedModelAdmin[OutcomeType]):
    list_display = ["number", "label", "needs_verification"]
    list_editable = ["needs_verification"]


@admin.register(ReferenceDataVersion)
class ReferenceDataVersionAdmin(admin.ModelAdmin[ReferenceDataVersion]):
    list_display = ["dataset", "version", "source", "loaded_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    # The table grows with every action: a capped count, and no second count of the whole table (ADR 0034).
    paginator = CappedPaginator
    show_full_result_count = False
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "channel", "origin"]
    list_filter = [
        known_values_filter("action", "action", lambda: AuditAction),
        known_values_filter("channel", "channel", lambda: CHANNELS),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False


from onedoor.core import admin_backlog  # noqa: E402, F401 - the "Workers and backlog" page

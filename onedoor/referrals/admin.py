from django.contrib import admin

from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.referrals.models import RoutingRule

# Referrals themselves are not in the admin: administrators manage configuration, never cases.


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin[RoutingRule]):
    list_display = ["name", "precedence", "order", "outcome", "service", "effective_from", "effective_to"]
    list_filter = ["precedence", "outcome", "service"]
    filter_horizontal = [
        "offence_groups",
        "excluded_offence_groups",
        "flags_any",
        "flags_all",
        "flags_none",
        "needs_any",
        "districts",
        "signpost",
    ]

from django.contrib import admin
from django.http import HttpRequest

from onedoor.police.models import PoliceBatch


@admin.register(PoliceBatch)
class PoliceBatchAdmin(admin.ModelAdmin[PoliceBatch]):
    list_display = ["started_at", "file_name", "status", "rows", "created", "updated", "errors", "referrals"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in PoliceBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

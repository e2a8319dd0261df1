from django.contrib import admin

from onedoor.directory.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "organisation", "first_contact_target_days", "active", "last_checked"]
    list_filter = ["kind", "active"]

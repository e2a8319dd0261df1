"""Users, organisations and API tokens in the admin. No one can become someone else here:

- no page sets or shows a password: a user resets their own through a link emailed to them;
- nobody can add an authenticator to someone else's account, and no page shows an authenticator's secret
  (OTP_ADMIN_HIDE_SENSITIVE_DATA);
- `is_superuser` and `is_staff` cannot be changed here (staff access follows the administrator role);
- nobody can change their own role, organisation, active flag or groups;
- API tokens are made by `create_api_token` (the secret is shown once) and revoked here.

Every change is audited with its from and to (onedoor.core.admin_audit).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts.models import ApiToken, Organisation, User
from onedoor.accounts.services import (
    api_token_revoke,
    password_reset_send,
    user_create,
    user_sync_staff_access,
)
from onedoor.core.admin_audit import AuditedModelAdmin
from onedoor.core.http import AuthedHttpRequest

PERSONAL = ("first_name", "last_name", "email", "username")
# Fields that decide what a user may do. Nobody may change their own.
OWN_ACCESS = ("role", "organisation", "is_active")
NEVER_EDITABLE = ("is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")


def _admin(request: HttpRequest) -> User:
    # The admin site admits only signed-in, verified administrators (onedoor/urls.py), but Django's admin
    # hooks are typed with a plain HttpRequest.
    return cast(AuthedHttpRequest, request).user


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin[Organisation]):
    list_display = ["name", "slug", "kind"]


class UserAddForm(forms.ModelForm[User]):
    """A new account has no password: its owner sets one through the reset link they are sent."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "organisation"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin[User]):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    actions = ["send_password_reset_link"]
    audit_exclude = ("password",)
    audit_redact = PERSONAL
    audit_additions = False  # user_create audits the new account
    fieldsets = (
        (None, {"fields": ("username", "sign_in")}),
        ("Personal details", {"fields": ("first_name", "last_name", "email", "job_title")}),
        ("OneDoor", {"fields": ("role", "organisation", "is_active")}),
        ("Privileges (follow the role; not editable here)", {"fields": ("is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": tuple(UserAddForm.Meta.fields)}),)

    @admin.display(description="Password")
    def sign_in(self, obj: User) -> str:
        state = "A password is set." if obj.has_usable_password() else "No password is set."
        return f"{state} Nobody can see or set it here: use the action “Send a password reset link”."

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = UserAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return ()
        own = OWN_ACCESS if obj.pk == request.user.pk else ()
        return ("username", "sign_in", *NEVER_EDITABLE, *own)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return not lookup.startswith("password") and super().lookup_allowed(lookup, value, request)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            created = user_create(
                created_by=_admin(request), **{f: form.cleaned_data[f] for f in UserAddForm.Meta.fields}
            )
            obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
            obj._state.adding, obj._state.db = False, created._state.db
            return
        super().save_model(request, obj, form, change)
        user_sync_staff_access(user=obj)

    @admin.action(description="Send a password reset link")
    def send_password_reset_link(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent, skipped = 0, 0
        for user in queryset:
            try:
                password_reset_send(user=user, sent_by=_admin(request))
            except ValidationError:
                skipped += 1
            else:
                sent += 1
        if sent:
            self.message_user(request, f"Sent a password reset link to {sent} user(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} user(s) have no email address or are inactive: no link sent.", messages.WARNING
            )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    audit_exclude = ("key_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `manage.py create_api_token` makes one and shows its secret once

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, revoked_by=_admin(request))
        self.message_user(request, "Revoked: those tokens no longer work.", messages.SUCCESS)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(AuditedModelAdmin[TOTPDevice], BaseTOTPDeviceAdmin):
    """An administrator may remove a lost authenticator so that its owner can enrol again; nobody may add
    one to someone else's account, and its secret is never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA)."""

    audit_exclude = ("key", "throttling_failure_timestamp", "throttling_failure_count", "last_t")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TOTPDevice | None = None) -> bool:
        return False  # moving a device to another account would let its holder pass as that person

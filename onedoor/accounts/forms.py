from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from onedoor.accounts.models import User
from onedoor.accounts.services import password_reset_request, user_password_set


class TwoFactorForm(forms.Form):
    code = forms.RegexField(
        label="Code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class EmailAddressForm(forms.Form):
    """Asking for a sign-in link: an email address, nothing else."""

    email = _email_field()


class ResetRequestForm(PasswordResetForm):
    """Asking for a password reset. Saving queues OneDoor's own email (`password_reset_request`), sent
    on commit from the deployment's public address, never from the request's Host header."""

    email = _email_field()

    def save(self, *args: Any, **kwargs: Any) -> None:
        password_reset_request(email=self.cleaned_data["email"])


_PASSWORD_MESSAGES = {
    "password_mismatch": "The two new passwords do not match. Type the same password in both boxes",
    "password_incorrect": "Your current password is not right. Type it again",
}


if TYPE_CHECKING:
    # django-stubs makes SetPasswordForm generic, but django_stubs_ext.monkeypatch() does not cover it, so it
    # cannot be subscripted at run time.
    _SetPasswordForm = SetPasswordForm[User]
else:
    _SetPasswordForm = SetPasswordForm


class NewPasswordForm(_SetPasswordForm):
    """Choose a new password from a reset link. Saving goes through `user_password_set`."""

    error_messages = {**SetPasswordForm.error_messages, **_PASSWORD_MESSAGES}
    reason = "reset"

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Avoid common words and your name."
        self.fields["new_password2"].label = "Type the new password again"
        for name in ("new_password1", "new_password2"):
            self.fields[name].error_messages["required"] = (
                "Enter a new password" if name == "new_password1" else "Type the new password again"
            )

    def save(self, commit: bool = True) -> Any:
        user_password_set(user=self.user, password=self.cleaned_data["new_password1"], reason=self.reason)
        return self.user


class ChangePasswordForm(NewPasswordForm, PasswordChangeForm):
    """Change your own password while signed in: the current one, then the new one twice."""

    error_messages = {**PasswordChangeForm.error_messages, **_PASSWORD_MESSAGES}
    reason = "changed"

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"

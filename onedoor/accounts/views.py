from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts import throttle
from onedoor.accounts.forms import (
    ChangePasswordForm,
    EmailAddressForm,
    NewPasswordForm,
    ResetRequestForm,
    TwoFactorForm,
)
from onedoor.accounts.middleware import SESSION_ENDED_KEY, allow_unverified, is_two_factor_complete
from onedoor.accounts.models import Role, StatusEmails
from onedoor.accounts.services import (
    sign_in_link_redeem,
    sign_in_link_request,
    totp_device_create,
    user_status_emails_set,
)
from onedoor.core.access import public, roles, signed_in
from onedoor.core.audit import audit_record
from onedoor.core.audit_actions import AuditAction
from onedoor.core.http import AuthedHttpRequest

SESSION_ENDED_TEXT = {
    "idle": "You were signed out because you had not done anything for {idle} minutes. Sign in again to carry on.",
    "expired": "You were signed out because you had been signed in for {hours} hours. Sign in again to carry on.",
}


class StatusEmailsForm(forms.Form):
    status_emails = forms.ChoiceField(
        label="How do you want to hear about your referrals?",
        choices=StatusEmails.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to hear about your referrals"},
    )


@roles(Role.REFERRER)
def status_emails(request: AuthedHttpRequest) -> HttpResponse:
    """The referrer's own choice: an email at each milestone of a referral, or one digest a day."""
    form = StatusEmailsForm(
        request.POST if request.method == "POST" else None, initial={"status_emails": request.user.status_emails}
    )
    if request.method == "POST" and form.is_valid():
        user_status_emails_set(user=request.user, choice=form.cleaned_data["status_emails"])
        messages.success(request, "Your email choice is saved")
        return redirect("accounts:status_emails")
    return render(
        request, "accounts/status_emails.html", {"form": form}, status=400 if form.is_bound and form.errors else 200
    )


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(SESSION_ENDED_KEY, None)
        if reason in SESSION_ENDED_TEXT:
            context["session_ended"] = SESSION_ENDED_TEXT[reason].format(
                idle=settings.ONEDOOR_IDLE_TIMEOUT_MINUTES, hours=settings.SESSION_COOKIE_AGE // 3600
            )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if not is_two_factor_complete(form.get_user()):
            return redirect(f"{reverse('accounts:two_factor')}?next={self.get_success_url()}")
        return response


login_view = public(allow_unverified(SignInView.as_view()))


def _safe_next(request: HttpRequest) -> str:
    nxt = request.GET.get("next") or request.POST.get("next") or "/"
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else "/"


@signed_in
@allow_unverified
def two_factor(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    if is_two_factor_complete(user):
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:two_factor_enrol")
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error("code", "Too many wrong codes. Wait a minute, then enter the current code from your app")
        elif device.verify_token(form.cleaned_data["code"].strip()):
            django_otp.login(request, device)
            audit_record(actor=user, action=AuditAction.TWO_FACTOR_VERIFIED)
            return redirect(_safe_next(request))
        else:
            audit_record(actor=user, action=AuditAction.TWO_FACTOR_FAILED)
            form.add_error("code", "That code is not right or has expired. Enter the current code from your app")
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


@signed_in
@allow_unverified
def two_factor_enrol(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("accounts:two_factor")
        device = totp_device_create(user=user, confirmed=False)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            audit_record(actor=user, action=AuditAction.TWO_FACTOR_CONFIRMED)
            return redirect(_safe_next(request))
        form.add_error("code", "That code is not right. Check the app shows OneDoor and try the current code")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = BytesIO()
    image.save(buf)
    svg = buf.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {"form": form, "qr_svg": mark_safe(svg), "secret": secret},  # noqa: S308 - generated locally
    )


@signed_in
@allow_unverified
@require_POST
def sign_out(request: AuthedHttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@public
@allow_unverified
def link_sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """A sign-in link from an email. GET only shows a button, so that mail scanners that follow links
    do not use it up; POST signs in."""
    if request.method == "POST":
        user = sign_in_link_redeem(token=token)
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if not is_two_factor_complete(user):
                return redirect("accounts:two_factor")
            return redirect("referrals:mine" if user.role == Role.REFERRER else "home")
        return render(request, "accounts/link_sign_in.html", {"invalid": True}, status=400)
    return render(request, "accounts/link_sign_in.html", {"invalid": False})


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page shown instead of the sign-in form while sign-in is refused. It
    says the same whether or not the account exists."""
    return render(request, "accounts/locked_out.html", {"cool_off_minutes": throttle.cool_off_minutes()}, status=429)


def _too_many(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "accounts/too_many_requests.html", {"what": what}, status=429)


# -- a new sign-in link for a referrer ----------------------------------------------------------------


@public
@allow_unverified
def sign_in_link_request_view(request: HttpRequest) -> HttpResponse:
    form = EmailAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if throttle.email_request_limited(request, group="accounts.sign_in_link", email=email):
            return _too_many(request, "sign-in links")
        sign_in_link_request(email=email)
        return redirect("accounts:sign_in_link_sent")
    return render(request, "accounts/sign_in_link_request.html", {"form": form})


@public
@allow_unverified
def sign_in_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_in_link_sent.html")


# -- password reset by email (Django's views; OneDoor's forms, services and emails) ------------------


class PasswordReset(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        if throttle.email_request_limited(self.request, group="accounts.password_reset", email=email):
            return _too_many(self.request, "password reset emails")
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:password_change_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request.user.has_usable_password():
            return render(request, "accounts/no_password.html")
        return super().dispatch(request, *args, **kwargs)


password_reset = public(allow_unverified(PasswordReset.as_view()))
password_reset_done = public(
    allow_unverified(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"))
)
password_reset_confirm = public(allow_unverified(PasswordResetConfirm.as_view()))
password_reset_complete = public(
    allow_unverified(
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
    )
)
# Changing a password needs a finished two-factor sign-in, like every other signed-in page.
password_change = signed_in(PasswordChange.as_view())
password_change_done = signed_in(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)

from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from onedoor.accounts.forms import TwoFactorForm
from onedoor.accounts.middleware import allow_unverified, is_two_factor_complete
from onedoor.accounts.services import sign_in_link_redeem, totp_device_create
from onedoor.core.access import public, signed_in
from onedoor.core.audit import audit_record


class SignInView(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

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
def two_factor(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
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
            audit_record(actor=user, action="two_factor.verified")
            return redirect(_safe_next(request))
        else:
            audit_record(actor=user, action="two_factor.failed")
            form.add_error("code", "That code is not right or has expired. Enter the current code from your app")
    return render(request, "accounts/two_factor.html", {"form": form, "next": _safe_next(request)})


@signed_in
@allow_unverified
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
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
            audit_record(actor=user, action="two_factor.confirmed")
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
def sign_out(request: HttpRequest) -> HttpResponse:
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
            return redirect("referrals:mine" if user.role == "referrer" else "home")
        return render(request, "accounts/link_sign_in.html", {"invalid": True}, status=400)
    return render(request, "accounts/link_sign_in.html", {"invalid": False})

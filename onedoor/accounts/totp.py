from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app would show now (demo and tests only)."""
    totp = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    totp.time = at if at is not None else time.time()
    return str(totp.token()).zfill(device.digits)

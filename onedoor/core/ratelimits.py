"""Rate limits for the public forms, without keeping who sent what.

A limit is counted in the shared cache (django-ratelimit) under a key made from a keyed hash of the
address or contact detail, truncated to 16 hex digits, that expires with the limit's window. Neither the
address nor the phone number or email is stored, and without the secret key a hash cannot be matched to
an address by trying them all. The hash key is derived for this purpose only, so these hashes never equal
the keyed hashes kept for matching records (onedoor.messaging.services.keyed_hash).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from onedoor.core.middleware import client_address

_PURPOSE = b"onedoor rate limit v1"


def rate_key(kind: str, value: str) -> str:
    """A keyed, truncated hash of `value` for the cache key of one kind of limit."""
    key = hmac.new(settings.SECRET_KEY.encode(), _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:16]


def address_for_limits(request: HttpRequest) -> str:
    """The client's address as rate limits count it: an IPv6 client by its /64, which one household or
    phone usually holds whole, so that it cannot dodge a limit by changing the rest of its address."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def normalise_contact(value: str) -> str:
    """One spelling per phone number or email address, so that `07700 900123` and `+447700900123` count
    as one: an email in lower case; a phone number as its digits, a UK +44 written as 0."""
    value = value.strip()
    if "@" in value:
        return "email:" + value.casefold()
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return "phone:" + digits if digits else ""


def limit_reached(request: HttpRequest, *, group: str, rate: str, kind: str, value: str) -> bool:
    """Count one submission for `value` against `rate` ("5/h") in `group`; True once it is over."""
    hashed = rate_key(kind, value)
    return bool(is_ratelimited(request, group=group, key=lambda _g, _r: hashed, rate=rate, increment=True))


def address_limit_reached(request: HttpRequest, *, group: str, rate: str) -> bool:
    return limit_reached(request, group=group, rate=rate, kind="address", value=address_for_limits(request))


def contact_limit_reached(request: HttpRequest, *, group: str, rate: str, contacts: list[str]) -> bool:
    """Count the submission once for each phone number and email address in it; True if any is over."""
    reached = False
    for contact in {normalise_contact(c) for c in contacts if c and c.strip()} - {""}:
        reached = limit_reached(request, group=group, rate=rate, kind="contact", value=contact) or reached
    return reached

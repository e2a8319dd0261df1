from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

from onedoor.core.audit import refusals_kept
from onedoor.core.context import origin

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_proxies(configured: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of `ONEDOOR_TRUSTED_PROXIES`, parsed once. A value that is not an address or a
    network stops the site with an error that names it, rather than trusting the wrong machines."""
    networks = []
    for entry in configured:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"ONEDOOR_TRUSTED_PROXIES: {entry!r} is not an IP address or a network such as 10.0.0.0/8."
            ) from None
    return tuple(networks)


def _parse(value: str) -> Address | None:
    """An address as a proxy writes it: bare, or with a port (`192.0.2.1:443`, `[2001:db8::1]:443`)."""
    value = value.strip()
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the person making the request, for rate limits and for staff audit rows.

    REMOTE_ADDR is the machine that connected to us. Only when it is one of the configured trusted proxies
    (`ONEDOOR_TRUSTED_PROXIES`) is X-Forwarded-For read, from the right: each trusted proxy appends the
    address that connected to it, so the first address from the right that is not a trusted proxy is the
    client. Everything to the left of it was written by the client and may be made up. A client can
    therefore never choose its own address by sending the header, and with no proxies configured the
    header is ignored altogether."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_proxies(tuple(getattr(settings, "ONEDOOR_TRUSTED_PROXIES", ())))
    peer = _parse(remote)
    if peer is None or not networks or not _trusted(peer, networks):
        return "" if peer is None else str(peer)  # not an address (a Unix socket): no address
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            break  # a trusted proxy wrote something that is not an address: believe no further
        peer = address
        if not _trusted(address, networks):
            break
    return str(peer)


class RequestOriginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        trusted_proxies(tuple(getattr(settings, "ONEDOOR_TRUSTED_PROXIES", ())))  # a bad setting fails at start

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        with origin(channel, client_address(request)), refusals_kept():
            return self.get_response(request)

"""Whose address a request is: only configured proxies' X-Forwarded-For is believed (issue 10, section 5)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import RequestFactory, override_settings
from django_ratelimit.core import get_usage
from hypothesis import given, settings
from hypothesis import strategies as st

from onedoor.core.middleware import RequestOriginMiddleware, client_address
from onedoor.core.ratelimits import address_for_limits

PROXY = "10.0.0.2"
factory = RequestFactory()


def request(remote: str, forwarded: str | None = None) -> HttpRequest:
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}  # WSGI environ, as RequestFactory takes it
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_its_forwarded_address_is_the_client() -> None:
    assert client_address(request(PROXY, "198.51.100.1")) == "198.51.100.1"


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_a_client_that_is_not_the_proxy_cannot_choose_its_address() -> None:
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_what_the_client_wrote_before_the_proxy_added_its_part_is_not_believed() -> None:
    # The client sent "X-Forwarded-For: 192.0.2.66"; the proxy appended the address it saw.
    assert client_address(request(PROXY, "192.0.2.66, 198.51.100.1")) == "198.51.100.1"


@override_settings(ONEDOOR_TRUSTED_PROXIES=["10.0.0.0/8", "2001:db8:ffff::/48"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert client_address(request("10.0.0.2", "192.0.2.66, 198.51.100.1, 10.1.2.3, 2001:db8:ffff::9")) == (
        "198.51.100.1"
    )
    # Every hop trusted: the leftmost is as far as anyone vouches for.
    assert client_address(request("10.0.0.2", "10.9.9.9, 10.1.2.3")) == "10.9.9.9"
    # No header at all: the proxy itself.
    assert client_address(request("10.0.0.2")) == "10.0.0.2"


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_ports_brackets_and_mapped_addresses_are_read() -> None:
    assert client_address(request(PROXY, "198.51.100.1:51234")) == "198.51.100.1"
    assert client_address(request(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(request(PROXY, "::ffff:198.51.100.1")) == "198.51.100.1"
    assert client_address(request(f"::ffff:{PROXY}", "198.51.100.1")) == "198.51.100.1"


@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_a_hop_that_is_not_an_address_stops_the_walk_at_the_last_trusted_one() -> None:
    assert client_address(request(PROXY, "198.51.100.1, unknown")) == PROXY


def test_a_remote_address_that_is_not_an_address_is_no_address() -> None:
    assert client_address(request("unix:/run/onedoor.sock")) == ""
    assert address_for_limits(request("")) == "unknown"


@override_settings(ONEDOOR_TRUSTED_PROXIES=["10.0.0.0/33"])
def test_a_bad_setting_is_named_at_start() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"10\.0\.0\.0/33"):
        RequestOriginMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]


_ipv4 = st.ip_addresses(v=4).filter(lambda a: a not in ipaddress.ip_network("10.0.0.0/8")).map(str)


@override_settings(ONEDOOR_TRUSTED_PROXIES=["10.0.0.0/8"])
@settings(max_examples=300, deadline=None)
@given(sent=st.text(max_size=200), real=_ipv4)
def test_whatever_a_client_sends_the_proxy_s_address_for_it_wins(sent: str, real: str) -> None:
    sent = sent.replace("\n", "").replace("\r", "")
    assert client_address(request(PROXY, f"{sent}, {real}" if sent else real)) == real


@settings(max_examples=300, deadline=None)
@given(sent=st.text(max_size=200), real=_ipv4)
def test_with_no_proxy_configured_the_header_never_matters(sent: str, real: str) -> None:
    assert client_address(request(real, sent)) == real


@pytest.mark.django_db
@override_settings(ONEDOOR_TRUSTED_PROXIES=[PROXY])
def test_django_ratelimit_ip_key_uses_the_same_address() -> None:
    cache.clear()
    assert django_settings.RATELIMIT_IP_META_KEY == "onedoor.core.middleware.client_address"
    one, other = request(PROXY, "198.51.100.1"), request(PROXY, "198.51.100.2")
    for _ in range(2):
        usage = get_usage(one, group="t", key="ip", rate="2/h", increment=True)
    assert usage is not None and usage["count"] == 2
    usage = get_usage(other, group="t", key="ip", rate="2/h", increment=True)
    assert usage is not None and usage["count"] == 1


def test_an_ipv6_client_is_limited_by_its_slash_64() -> None:
    assert address_for_limits(request("2001:db8:1:2:aaaa::1")) == address_for_limits(request("2001:db8:1:2:bbbb::9"))
    assert address_for_limits(request("2001:db8:1:2::1")) != address_for_limits(request("2001:db8:1:3::1"))

"""The keyed hashes that match people and contact details across records (ADR 0013, ADR 0026).

`keyed_hash` is HMAC-SHA-256 under the current match key (`settings.ONEDOOR_MATCH_KEYS[0]`), a secret of
its own, apart from `SECRET_KEY`. While keys rotate, a hash stored under a previous key must still match:
`keyed_hashes` gives a value's hash under every configured key, current first, and the matching checks
look for any of them until `manage.py rekey_hashes` has rewritten what is stored.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

_keyed: dict[str, hmac.HMAC] = {}


def match_keys() -> list[str]:
    keys = [k for k in settings.ONEDOOR_MATCH_KEYS if k]
    if not keys:
        raise ValueError("ONEDOOR_MATCH_KEYS is empty: set at least one key (the current one first).")
    return keys


def _hash(key: str, value: str) -> str:
    keyed = _keyed.get(key)
    if keyed is None:  # set up each key once (an import hashes a few values per row); copies are cheap
        keyed = _keyed[key] = hmac.new(key.encode(), digestmod=hashlib.sha256)
    h = keyed.copy()
    h.update(value.encode())
    return h.hexdigest()


def keyed_hash(value: str) -> str:
    """A keyed hash of a personal value under the current key, for matching without storing it twice."""
    if not value:
        return ""
    return _hash(match_keys()[0], value)


def keyed_hashes(value: str) -> list[str]:
    """The value's hash under every configured key, the current one first."""
    if not value:
        return []
    return [_hash(key, value) for key in match_keys()]


def previous_hashes(value: str) -> list[str]:
    """The value's hash under each previous key only (empty when nothing is rotating)."""
    return keyed_hashes(value)[1:]


def rotating() -> bool:
    return len(match_keys()) > 1


def contact_key(value: str) -> str:
    """The matching key of a phone number (E.164) or an email address. An address is matched whatever its
    case, as the police record's key is, so a "this address failed" mark made from a message written as
    Jo.Smith@example.org still stops the next offer to jo.smith@example.org."""
    return keyed_hash(value.strip().lower())


def contact_keys(value: str) -> list[str]:
    return keyed_hashes(value.strip().lower())

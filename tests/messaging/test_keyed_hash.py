from __future__ import annotations

import hashlib
import hmac

import pytest
from django.test import override_settings

from onedoor.core.matchkeys import keyed_hashes, previous_hashes
from onedoor.messaging.services import keyed_hash


def test_keyed_hash_is_hmac_sha256_with_the_current_match_key_not_the_secret_key() -> None:
    for key in ("first-match-key", "second-match-key", "first-match-key"):
        with override_settings(ONEDOOR_MATCH_KEYS=[key, "an-old-key"], SECRET_KEY="unrelated-secret"):
            expected = hmac.new(key.encode(), b"+447700900123", hashlib.sha256).hexdigest()
            assert keyed_hash("+447700900123") == expected
    assert keyed_hash("") == ""


def test_keyed_hashes_give_every_key_current_first() -> None:
    with override_settings(ONEDOOR_MATCH_KEYS=["new", "old"]):
        new = hmac.new(b"new", b"x", hashlib.sha256).hexdigest()
        old = hmac.new(b"old", b"x", hashlib.sha256).hexdigest()
        assert keyed_hashes("x") == [new, old]
        assert previous_hashes("x") == [old]
    with override_settings(ONEDOOR_MATCH_KEYS=["new"]):
        assert previous_hashes("x") == []


def test_no_match_key_is_a_clear_error() -> None:
    with override_settings(ONEDOOR_MATCH_KEYS=[""]), pytest.raises(ValueError, match="ONEDOOR_MATCH_KEYS is empty"):
        keyed_hash("x")

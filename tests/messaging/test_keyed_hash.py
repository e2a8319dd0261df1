from __future__ import annotations

import hashlib
import hmac

from django.test import override_settings

from onedoor.messaging.services import keyed_hash


def test_keyed_hash_is_hmac_sha256_with_the_secret_key_in_force() -> None:
    for key in ("first-secret", "second-secret", "first-secret"):
        with override_settings(SECRET_KEY=key):
            expected = hmac.new(key.encode(), b"+447700900123", hashlib.sha256).hexdigest()
            assert keyed_hash("+447700900123") == expected
    assert keyed_hash("") == ""

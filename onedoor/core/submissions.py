"""One result per submission key: API retries (Idempotency-Key) and double-submitted forms.

`submission_run` claims the key and runs the work in ONE transaction. The claim is an INSERT against a
unique constraint, never a check followed by an act: a second request with the same key waits for the
first to commit (on PostgreSQL on the unique index, on SQLite on the write lock) and then finds its
result. If the work raises, the claim rolls back with it, so a refused request does not use up its key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from onedoor.core.errors import DomainError
from onedoor.core.models import SubmissionKey

KEY_MAX_LENGTH = 255


class SubmissionKeyReused(DomainError):
    """The key was used before for a different body. `first` is the first result."""

    def __init__(self, first: Mapping[str, Any]) -> None:
        super().__init__("This key was already used for a different request.")
        self.first = dict(first)


@dataclass(frozen=True)
class SubmissionResult:
    status_code: int
    result: dict[str, Any]
    replayed: bool


def submission_fingerprint(data: Any) -> str:
    """A keyed hash of the request body, canonicalised, so that the same fields in any order match."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return hmac.new(settings.SECRET_KEY.encode(), canonical, hashlib.sha256).hexdigest()


def submission_key_is_valid(key: str) -> bool:
    return 0 < len(key) <= KEY_MAX_LENGTH and key.isascii() and key.isprintable()


def _lifetime() -> timedelta:
    return timedelta(hours=int(getattr(settings, "ONEDOOR_SUBMISSION_KEY_HOURS", 24)))


def _replay(row: SubmissionKey, fingerprint: str) -> SubmissionResult:
    if not hmac.compare_digest(row.fingerprint, fingerprint):
        raise SubmissionKeyReused(row.result)
    return SubmissionResult(status_code=row.status_code, result=dict(row.result), replayed=True)


def submission_run(
    *, scope: str, key: str, fingerprint: str, run: Callable[[], tuple[int, dict[str, Any]]]
) -> SubmissionResult:
    """Run `run` once per (scope, key). It returns (status code, result); the result must be JSON of
    identifiers and codes only. A later call with the same key and fingerprint returns the stored result
    (replayed); with a different fingerprint it raises SubmissionKeyReused."""
    now = timezone.now()
    with transaction.atomic():
        SubmissionKey.objects.filter(scope=scope, key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                row = SubmissionKey.objects.create(
                    scope=scope,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    result={},
                    created_at=now,
                    expires_at=now + _lifetime(),
                )
        except IntegrityError:
            first = SubmissionKey.objects.select_for_update().get(scope=scope, key=key)
            return _replay(first, fingerprint)
        status_code, result = run()
        row.status_code = status_code
        row.result = result
        row.save(update_fields=["status_code", "result"])
        return SubmissionResult(status_code=status_code, result=result, replayed=False)


def submission_keys_purge(*, now: datetime | None = None) -> int:
    """Delete expired keys. Returns how many."""
    deleted, _ = SubmissionKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


# A form's one-time token: a hidden field, new each time a blank form is shown, kept when the form is
# shown again with errors (nothing was created), consumed in the transaction that creates the referral.
FORM_TOKEN_FIELD = "submission_token"  # noqa: S105 - a field name
_NOT_FINGERPRINTED = frozenset({"csrfmiddlewaretoken", FORM_TOKEN_FIELD})


def form_token(request: HttpRequest, *, fresh: bool = False) -> str:
    """The token to render in the form: the one just posted, or a new one."""
    posted = str(request.POST.get(FORM_TOKEN_FIELD, ""))
    if not fresh and request.method == "POST" and submission_key_is_valid(posted):
        return posted
    return secrets.token_urlsafe(24)


def form_submission_run(request: HttpRequest, *, scope: str, run: Callable[[], dict[str, Any]]) -> SubmissionResult:
    """Run a form's work once per posted token. A post without a token (a page from before tokens) runs
    unguarded. A second post with the same token and fields gets the first result (replayed)."""
    token = str(request.POST.get(FORM_TOKEN_FIELD, ""))
    if not submission_key_is_valid(token):
        return SubmissionResult(status_code=200, result=run(), replayed=False)
    fields = {k: sorted(request.POST.getlist(k)) for k in request.POST if k not in _NOT_FINGERPRINTED}
    return submission_run(scope=scope, key=token, fingerprint=submission_fingerprint(fields), run=lambda: (200, run()))


def already_sent_message(reference: str | None) -> str:
    if reference:
        first = gettext("You already sent this form (reference %(reference)s), and then changed it.") % {
            "reference": reference
        }
    else:
        first = gettext("You already sent this form, and then changed it.")
    then = gettext("Nothing new was sent. If you meant to send another one, check the details and send it again.")
    return f"{first} {then}"

"""How far back a refresh looks past its watermark.

A fact is stamped (`updated_at`, an event's `at`) when its transaction starts working, and becomes visible when
the transaction commits. A refresh that starts in between does not see it, and moves its watermark past the
stamp; the next refresh would then miss it for ever. So every refresh also looks at facts stamped up to
`SETTLE` before its watermark: longer than any transaction that writes facts (a police import chunk is the
longest, seconds). Those days are rebuilt twice, which changes nothing, and costs one day's rebuild."""

from __future__ import annotations

from datetime import datetime, timedelta

SETTLE = timedelta(minutes=10)


def settled_since(since: datetime) -> datetime:
    return since - SETTLE

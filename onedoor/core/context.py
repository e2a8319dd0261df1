"""Where the current piece of work came from, for the audit log's "from where".

Middleware sets it for web and API requests; management commands and tasks set their own.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Every channel work can come from; the audit log's `channel` holds one of these.
CHANNELS = ("web", "api", "cli", "task", "system")


@dataclass(frozen=True)
class Origin:
    channel: str  # one of CHANNELS
    address: str = ""


_SYSTEM = Origin("system")
_current: contextvars.ContextVar[Origin] = contextvars.ContextVar("onedoor_origin", default=_SYSTEM)


def current_origin() -> Origin:
    return _current.get()


@contextmanager
def origin(channel: str, address: str = "") -> Iterator[Origin]:
    if channel not in CHANNELS:
        raise ValueError(f"an origin's channel is one of {', '.join(CHANNELS)}, not {channel!r}")
    token = _current.set(Origin(channel, address))
    try:
        yield _current.get()
    finally:
        _current.reset(token)

"""Statistical disclosure control for everything the commissioner sees: small counts are suppressed so
that no figure can point to a person."""

from __future__ import annotations

SUPPRESS_BELOW = 5


def safe_count(n: int) -> str:
    if n == 0:
        return "0"
    if n < SUPPRESS_BELOW:
        return f"fewer than {SUPPRESS_BELOW}"
    return f"{n:,}"

from __future__ import annotations

from onedoor.core.errors import DomainError


class ContextDataError(DomainError):
    """A reference or public data file that cannot be read as it is. The message says what to fix."""

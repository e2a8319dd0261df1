"""The one base class for refusals the domain expects: a change that cannot be made as asked, with a
message for the person who asked. Views catch `DomainError` (and `PermissionDenied`) and show its message;
anything else a service raises is a bug, and answers 500."""

from __future__ import annotations


class DomainError(Exception):
    """A change refused by the rules, not by a bug. Its message is written for the user. Nothing was saved."""

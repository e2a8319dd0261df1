"""Shared helpers for the commissioner pages' tests: referrals received on a chosen day, and reading a table."""

from __future__ import annotations

import re
from datetime import date

from onedoor.referrals.models import Referral


def received_on(referrals: list[Referral], day: date) -> None:
    """Move referrals made through the real service today to `day`, the only field a period reads."""
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(received_on=day)


def table_rows(page: str, table_id: str) -> dict[str, list[str]]:
    """The rows of the table with this id: row heading -> its cells' text."""
    found = re.search(rf'<table class="govuk-table" id="{re.escape(table_id)}">(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    out: dict[str, list[str]] = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found[1], re.S):
        head = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if head:
            label = re.sub(r"<[^>]+>", "", head[1]).strip()
            out[label] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return out

"""Shared helpers for the commissioner pages' tests: referrals received on a chosen day, and reading a table."""

from __future__ import annotations

import re
from datetime import date

from onedoor.insights.cells import Cube
from onedoor.insights.disclosure import Protected
from onedoor.insights.rollups import rollups_refresh
from onedoor.referrals.models import Referral


def received_on(referrals: list[Referral], day: date) -> None:
    """Move referrals made through the real service today to `day`, the only field a period reads, and bring
    the rollups the pages read up to date (the worker does it every five minutes)."""
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(received_on=day)
    rollups_refresh(full=True)


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


def as_is(cubes: list[Cube]) -> dict[str, Protected]:
    """Every count shown as it is, for tests of the arithmetic behind a figure (disclosure control has tests
    of its own, and refuses a threshold below 2)."""
    return {c.population: Protected(cube=c, k=1, shown=dict(c.cells), withheld={}, cubes=(c,)) for c in cubes}

"""Demo-only figures, kept out of the area files because a real area needs none of them.

The bundled Warwickshire demo spreads its synthetic victims over the districts as the seed needs
assessment found them (REFERENCE.md: 28/24/19/18/12%). Any other area's demo uses its districts' Census
populations instead.
"""

from __future__ import annotations

from typing import Any

DISTRICT_WEIGHTS: dict[str, dict[str, int]] = {
    "warwickshire": {"E07000219": 28, "E07000222": 24, "E07000220": 19, "E07000221": 18, "E07000218": 12},
}


def district_weights(area: dict[str, Any]) -> dict[str, int]:
    """Each district's share of the demo's victims: the demo's own figures, else the Census population."""
    known = DISTRICT_WEIGHTS.get(area["area"])
    if known and set(known) == {d["gss_code"] for d in area["districts"]}:
        return dict(known)
    return {d["gss_code"]: max(1, d["census"]["population"]) for d in area["districts"]}

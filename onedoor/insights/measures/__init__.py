"""The measures' computations, one module per group; importing this package registers them all."""

from onedoor.insights.measures import (
    compliance,
    context,
    data_quality,
    demand,
    equity,
    flow,
    outcomes,
    partnership,
    police_profile,
    police_reach,
    timeliness,
)

__all__ = [
    "compliance",
    "context",
    "data_quality",
    "demand",
    "equity",
    "flow",
    "outcomes",
    "partnership",
    "police_profile",
    "police_reach",
    "timeliness",
]

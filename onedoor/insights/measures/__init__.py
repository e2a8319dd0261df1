"""The measures' computations, one module per group; importing this package registers them all."""

from onedoor.insights.measures import context, demand, police_profile

__all__ = ["context", "demand", "police_profile"]

"""The measures' computations, one module per group; importing this package registers them all."""

from onedoor.insights.measures import demand

__all__ = ["demand"]

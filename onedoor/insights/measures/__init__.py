"""The measures' computations, one module per group; importing this package registers them all."""

from onedoor.insights.measures import demand, flow, partnership, police_reach

__all__ = ["demand", "flow", "partnership", "police_reach"]

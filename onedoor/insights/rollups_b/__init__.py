"""The rollups behind Timeliness, Outcomes, Equity, Data quality and Victims' Code compliance: counts in the
fact tables (`FactDay` and its month slices `FactMonth`, shared with the facts-a rollups), kept current by
`onedoor.insights.rollups.rollups_refresh`. Importing this package registers them."""

from onedoor.insights.rollups_b import closures, spine

__all__ = ["closures", "spine"]

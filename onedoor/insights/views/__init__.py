"""The commissioner's and providers' pages: the overview, a page per group of measures, the quarterly return
and the needs-assessment report."""

from onedoor.insights.views.pages import group_page, overview
from onedoor.insights.views.returns import commentary, quarterly_return, report

__all__ = ["commentary", "group_page", "overview", "quarterly_return", "report"]

"""A STAND-IN for the render branch's HTML-to-PDF (issue 12): the agreed interface only. The render branch's
module replaces this file at merge; until then the report's PDF answers that it is not available."""

from __future__ import annotations

# Marks this module as the stand-in: the report's PDF test runs once the real module replaces it.
STUB = True


class PdfUnavailable(Exception):
    pass


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    raise PdfUnavailable("PDF rendering arrives with the render branch")

"""HTML to PDF for the needs-assessment report, with WeasyPrint (docs/insights-output.md, ADR 0023).

The PDF is made from the same HTML as the report page, charts included (they are inline SVG). Rendering never
touches the network: the only URLs it may load are the project's own static files (the stylesheet and what
the stylesheet uses), read from disk. Anything else (a remote image, a web font, a `file:` path outside the
static files) is refused and left out of the PDF, with a warning in WeasyPrint's log naming the URL. So a
report cannot be made to call out to anywhere, whatever its labels or commentary say.

The PDF is tagged (PDF/UA structure), so a screen reader can follow its headings and tables.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The origin relative links resolve against when the caller gives none: a name that can never resolve (RFC
# 6761), so a relative URL can only ever mean one of OneDoor's own static files.
DEFAULT_BASE_URL = "https://onedoor.invalid/"


class FetchRefused(ValueError):
    """A URL the PDF may not load. WeasyPrint catches it, logs a warning with the URL, and leaves the
    resource out."""


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The HTML as a tagged PDF. `base_url` is the page's own address (for example
    `request.build_absolute_uri()`), against which relative links resolve; static files are found under
    `STATIC_URL` on that origin."""
    base = base_url or DEFAULT_BASE_URL
    document = HTML(string=html, base_url=base, url_fetcher=StaticFilesFetcher(base_url=base))
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf


class StaticFilesFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that answers only for the project's static files and refuses the rest."""

    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        static_url = urljoin(base_url, settings.STATIC_URL)
        parts = urlsplit(static_url)
        self._static_origin = (parts.scheme, parts.netloc)
        self._static_path = parts.path if parts.path.endswith("/") else parts.path + "/"

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = static_file_for(url, origin=self._static_origin, prefix=self._static_path)
        content_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type or "application/octet-stream"}
        )


def static_file_for(url: str, *, origin: tuple[str, str], prefix: str) -> Path:
    """The file on disk that `url` names, if it is one of the project's static files; else FetchRefused."""
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != origin or not parts.path.startswith(prefix):
        raise FetchRefused(f"The PDF may load only OneDoor's own static files, not {url}")
    name = unquote(parts.path[len(prefix) :])
    if not name or name.startswith("/") or "\\" in name or ".." in name.split("/") or posixpath.isabs(name):
        raise FetchRefused(f"Not a static file name: {url}")
    found = _find(name)
    if found is None:
        raise FetchRefused(f"No static file {name!r} (run `make install`, or collectstatic in production)")
    return found


def _find(name: str) -> Path | None:
    # The sources first (as the development server serves them), then the collected files (production, where
    # names carry their content's hash). Both refuse a name that would leave their folder.
    found = finders.find(name)
    if isinstance(found, str):
        return Path(found)
    if Path(settings.STATIC_ROOT).is_dir() and staticfiles_storage.exists(name):
        return Path(staticfiles_storage.path(name))
    return None

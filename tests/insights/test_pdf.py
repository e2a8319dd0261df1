"""The PDF engine: a report with a table and a chart comes out with its figures in the text, tagged; only
OneDoor's own static files are ever loaded, and nothing goes to the network."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from pytest_django import Settings

from onedoor.insights.charts import bar_chart
from onedoor.insights.pdf import DEFAULT_BASE_URL, FetchRefused, StaticFilesFetcher, html_to_pdf, static_file_for
from onedoor.insights.tables import Column, Figure, Row, Table

TABLE = Table(
    key="by-district",
    title="Referrals received, by district",
    row_heading="District",
    columns=(Column("received", "Received"),),
    rows=(
        Row("w", "Warwick", (Figure(1234),)),
        Row("r", "Rugby", (Figure(None, suppressed=True),)),
        Row("x", "Not recorded", (Figure(87),)),
        Row("t", "Total", (Figure(1324),), is_total=True),
    ),
    period_label="Financial year 2025-26",
)


def report_html(head: str = "", body: str = "") -> str:
    rows = "".join(f"<tr><th scope='row'>{r.label}</th><td>{r.figures[0].text}</td></tr>" for r in TABLE.rows)
    chart = bar_chart(TABLE, column_key="received", title="Referrals by district", description="Warwick most.")
    return (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>Needs assessment 2025-26</title>"
        f"{head}</head><body><h1>Demand</h1><table><caption>{TABLE.title}</caption>"
        f"<tr><th>District</th><th>Received</th></tr>{rows}</table>{chart}{body}</body></html>"
    )


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_report_with_a_table_and_a_chart_gives_a_tagged_pdf_with_its_figures() -> None:
    pdf = html_to_pdf(report_html())
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and reader.metadata.title == "Needs assessment 2025-26"
    root = reader.root_object
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject)
    assert bool(mark_info["/Marked"]) and "/StructTreeRoot" in root  # tagged, for screen readers
    text = pdf_text(pdf)
    for figure in ("Warwick", "1,234", "Rugby", "[c]", "Not recorded", "87", "Total", "1,324"):
        assert figure in text
    # The chart's own labels are drawn as text too (the bar chart leaves the total to the table).
    assert text.count("1,234") == 2 and text.count("[c]") == 2 and text.count("1,324") == 1


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        body = b"h1::after { content: 'styled-from-the-network'; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def loopback_server() -> Iterator[str]:
    """A server on loopback that answers anything and records what was asked of it."""
    _Recorder.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_outside_the_static_files_is_fetched(loopback_server: str, caplog: pytest.LogCaptureFixture) -> None:
    head = f"<link rel='stylesheet' href='{loopback_server}/evil.css'>"
    body = f"<img src='{loopback_server}/pixel.png' alt=''><img src='file:///etc/passwd' alt=''>"
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = html_to_pdf(report_html(head, body), base_url=f"{loopback_server}/insights/report/FY2025-26")
    assert _Recorder.hits == []  # the server was never asked
    assert "styled-from-the-network" not in pdf_text(pdf) and "1,234" in pdf_text(pdf)
    refused = [r.getMessage() for r in caplog.records if "may load only" in r.getMessage()]
    assert len(refused) == 3
    assert any(f"{loopback_server}/evil.css" in m for m in refused)
    assert any("file:///etc/passwd" in m for m in refused)


@pytest.fixture
def static_dir(tmp_path: Path, settings: Settings) -> Path:
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "print.css").write_text("h1::after { content: ' styled-from-static'; }")
    settings.STATICFILES_DIRS = [tmp_path]
    return tmp_path


@pytest.mark.parametrize("base_url", [None, "http://testserver/insights/report/FY2025-26"])
def test_the_projects_own_stylesheet_is_loaded_from_disk(static_dir: Path, base_url: str | None) -> None:
    pdf = html_to_pdf(report_html("<link rel='stylesheet' href='/static/report/print.css'>"), base_url=base_url)
    assert "Demand styled-from-static" in pdf_text(pdf)


def test_the_fetcher_answers_for_static_files_only(static_dir: Path) -> None:
    fetcher = StaticFilesFetcher(base_url=DEFAULT_BASE_URL)
    response = fetcher.fetch("https://onedoor.invalid/static/report/print.css")
    assert response.read() == b"h1::after { content: ' styled-from-static'; }"
    assert response.content_type == "text/css"
    origin, prefix = ("https", "onedoor.invalid"), "/static/"
    for url, reason in [
        ("https://example.org/static/report/print.css", "may load only"),  # another host
        ("http://onedoor.invalid/static/report/print.css", "may load only"),  # another scheme
        ("https://onedoor.invalid/media/report/print.css", "may load only"),  # not under STATIC_URL
        ("file:///etc/passwd", "may load only"),
        ("data:text/css,h1{color:red}", "may load only"),
        ("https://onedoor.invalid/static/../settings.py", "Not a static file name"),
        ("https://onedoor.invalid/static/report/%2e%2e/%2e%2e/secret", "Not a static file name"),
        ("https://onedoor.invalid/static//etc/passwd", "Not a static file name"),
        ("https://onedoor.invalid/static/", "Not a static file name"),
        ("https://onedoor.invalid/static/report/missing.css", "No static file 'report/missing.css'"),
    ]:
        with pytest.raises(FetchRefused, match=reason):
            static_file_for(url, origin=origin, prefix=prefix)

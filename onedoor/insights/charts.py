"""A STAND-IN for the render branch's charts (issue 12): the agreed interface, plain SVG bars and a line.
The render branch's module replaces this file at merge."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from onedoor.insights.tables import Figure, Table


def _svg(bars: Sequence[tuple[str, Figure]], *, title: str, description: str) -> SafeString:
    top = max((float(f.value) for _, f in bars if f.value is not None), default=0.0) or 1.0
    items = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="18" height="{}"></rect><text x="{}" y="118" font-size="8">{}</text></g>',
        (
            (10 + 30 * i, 100 - (100 * float(f.value or 0) / top), 100 * float(f.value or 0) / top, 10 + 30 * i, f.text)
            for i, (_, f) in enumerate(bars)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} 120" '
        'class="onedoor-chart"><title id="{0}-t">{2}</title><desc id="{0}-d">{3}</desc>{4}</svg>',
        abs(hash((title, description))),
        20 + 30 * len(bars),
        title,
        description,
        items,
    )


def bar_chart(table: Table, *, column_key: str, title: str, description: str) -> SafeString:
    index = [c.key for c in table.columns].index(column_key)
    return _svg([(r.label, r.figures[index]) for r in table.rows], title=title, description=description)


def trend_chart(*, points: Sequence[tuple[str, Figure]], title: str, description: str) -> SafeString:
    return _svg(points, title=title, description=description)

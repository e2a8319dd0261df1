"""Nothing outside the demo and the bundled area files names Warwickshire, its codes or its services."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

PACKAGE = Path(settings.BASE_DIR) / "onedoor"
NAMES = re.compile(
    r"Warwickshire|E10000031|E23000017|E0700021[89]|E0700022[0-2]|Victim Support|\bRoSA\b|Barnardo|"
    r"\bCompass\b|Change Grow Live|\bCGL\b|Nuneaton|West Midlands Police|0808 16 89 111|08081689111"
)  # Case matters: "victim support" is the service's kind, "Victim Support" one provider; the lower-case
# `warwickshire` is a bundled area file's name (the default ONEDOOR_AREA), not words the public reads.
SUFFIXES = {".py", ".html", ".txt", ".po", ".json", ".js", ".scss"}
BUNDLED_AREA = re.compile(r"^areas/[a-z0-9-]+(\.directory)?\.json$")


def _allowed(relative: str) -> bool:
    """The bundled area files, and the demo (its users, weights and casework), may name an area."""
    name = relative.rsplit("/", 1)[-1]
    if relative == "insights/context/reference/police-forces.json":
        return True  # national reference data: every police force in England and Wales, this one among them
    return bool(BUNDLED_AREA.match(relative)) or name.startswith(("demo", "load_demo", "load_casework_demo"))


def test_no_template_message_translation_or_module_names_an_area() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE).as_posix()
        built = relative.startswith(("static/build/", "static/vendor/"))
        if path.suffix not in SUFFIXES or built or _allowed(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if NAMES.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert found == []


def test_the_search_finds_what_it_looks_for() -> None:
    assert NAMES.search("Support for victims of crime in Warwickshire")
    assert NAMES.search('href="tel:08081689111"')
    assert _allowed("areas/warwickshire.json") and _allowed("areas/demo.py")
    assert not _allowed("directory/templates/directory/home.html")

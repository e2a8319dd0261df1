"""docs/insights.md is the data dictionary, written from the registry: the committed file must be current."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from onedoor.insights.dictionary import dictionary_markdown
from onedoor.insights.management.commands.insights_dictionary import default_path
from onedoor.insights.registry import MEASURES


def test_the_committed_dictionary_is_what_the_command_writes() -> None:
    assert default_path().read_text(encoding="utf-8") == dictionary_markdown(), (
        "docs/insights.md is not current: run `manage.py insights_dictionary` and commit it"
    )
    call_command("insights_dictionary", "--check")


def test_every_registered_measure_is_in_it_with_its_definition() -> None:
    text = dictionary_markdown()
    assert MEASURES
    for measure in MEASURES.values():
        assert f"`{measure.id}`" in text and measure.definition in text


def test_the_command_writes_the_file_and_check_fails_on_a_stale_one(tmp_path: Path) -> None:
    out = tmp_path / "insights.md"
    call_command("insights_dictionary", "--output", str(out))
    assert out.read_text(encoding="utf-8") == dictionary_markdown()
    out.write_text("stale", encoding="utf-8")
    with pytest.raises(CommandError, match="is not current"):
        call_command("insights_dictionary", "--output", str(out), "--check")

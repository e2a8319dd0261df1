import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from tests.directory.onspd_sample import write_sample


@pytest.fixture
def fresh_rate_limits() -> Iterator[None]:
    """An empty cache before and after, so that one test's rate-limit counts never reach another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def onspd_loaded(db: None, tmp_path: Path) -> None:
    """The generated ONSPD sample (tests/directory/onspd_sample.py), loaded as an administrator would."""
    sample = tmp_path / "ONSPD_SAMPLE_UK.csv"
    write_sample(sample)
    call_command("load_postcodes", str(sample), stdout=io.StringIO())

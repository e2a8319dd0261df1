from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture
def fresh_rate_limits() -> Iterator[None]:
    """An empty cache before and after, so that one test's rate-limit counts never reach another."""
    cache.clear()
    yield
    cache.clear()

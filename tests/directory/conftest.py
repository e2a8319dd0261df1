import pytest
from django.core.cache import cache


@pytest.fixture
def fresh_rate_limits():
    """An empty cache before and after, so that one test's rate-limit counts never reach another."""
    cache.clear()
    yield
    cache.clear()

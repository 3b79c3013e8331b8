import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Counts are cached by case id, and ids come back between tests: start each empty."""
    cache.clear()
    yield
    cache.clear()

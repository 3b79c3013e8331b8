import pytest


@pytest.fixture(autouse=True)
def _replies_settings(letters_settings):
    """Replies answer letters, which need the letters settings to go out."""

import pytest


@pytest.fixture(autouse=True)
def _actions_settings(letters_settings):
    """Writing letters from the composition layer needs the letters settings too."""

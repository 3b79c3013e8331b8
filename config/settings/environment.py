"""Reading the environment: the helpers every settings module uses, and where Pluma runs.

Each helper raises ImproperlyConfigured with the variable's name, so a node with a bad or
missing value refuses to start and says why, instead of running on a default.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("PLUMA_VAR_DIR", BASE_DIR / "var"))

IS_PRODUCTION = os.environ.get("DJANGO_ENV", "development") == "production"


def env(name: str, default: str | None = None) -> str:
    """A string setting; in production a setting without a default must be set."""
    value = os.environ.get(name)
    if value not in (None, ""):
        return value
    if default is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]

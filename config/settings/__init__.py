"""Pluma's settings, read from the environment only, one module per concern.

Without any environment the site runs on the embedded default (SQLite under var/, a
folder standing in for the broker, email written to var/outbox/). Production sets
DJANGO_ENV=production, which makes every secret and every shared service mandatory:
a node without DATABASE_URL or REDIS_URL would run alone on SQLite and its own memory,
so it refuses to start instead.
"""

from .core import *  # noqa: F403
from .data import *  # noqa: F403
from .email import *  # noqa: F403
from .environment import *  # noqa: F403
from .pluma import *  # noqa: F403

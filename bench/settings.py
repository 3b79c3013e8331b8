"""Production's settings with the benches' URLconf, which adds the minimal view.

The benches start their servers (and count instructions) with
DJANGO_SETTINGS_MODULE=bench.settings; config/wsgi.py only sets a default. Production's
URLconf (config/urls.py) is left as it is.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

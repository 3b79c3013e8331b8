import importlib
import os

import pytest
from celery import current_app
from django.core.cache import caches
from django.db import connection
from django.urls import clear_url_caches
from django.utils import translation

import config.urls

# The case, official and letter fixtures shared by letters, replies and actions tests.
pytest_plugins = ["tests.letter_fixtures"]

IN_CI = os.environ.get("CI", "").lower() == "true"


def _services_available() -> tuple[bool, str]:
    if connection.vendor != "postgresql":
        return False, "needs DATABASE_URL pointing at PostgreSQL"
    if not os.environ.get("REDIS_URL"):
        return False, "needs REDIS_URL"
    return True, ""


def pytest_collection_modifyitems(config, items):
    # Service tests open dozens of PostgreSQL connections and start workers: under
    # pytest-xdist (--dist loadgroup) they share one worker instead of competing.
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))


@pytest.fixture(autouse=True)
def _require_services(request):
    """Tests marked `services` skip on the embedded default, but fail in CI without them."""
    if request.node.get_closest_marker("services") is None:
        return
    ok, why = _services_available()
    if not ok:
        if IN_CI:
            pytest.fail(f"CI must run this test against the real services: {why}")
        pytest.skip(why)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**private, "OPTIONS": {**private["OPTIONS"], "location": tmp_path / "private"}},
    }
    settings.EMAIL_OUTBOX_DIR = tmp_path / "outbox"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Cached counts, URLs and copies of cases are keyed by ids and numbers that come back
    in the next test: start and end each test with empty caches."""
    for alias in ("default", "local"):
        caches[alias].clear()
    yield
    for alias in ("default", "local"):
        caches[alias].clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request to /es/ leaves Spanish active in the thread: LocaleMiddleware never resets
    it, so without this a later test would see Spanish messages."""
    yield
    translation.deactivate()


@pytest.fixture
def eager():
    """Queued tasks run at once, and their errors reach the caller (a crash is a crash)."""
    conf = current_app.conf
    was = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = was


@pytest.fixture
def esp_webhooks(settings):
    """``esp_webhooks("postmark")``: config.urls as with ANYMAIL_ESP=postmark, which mounts
    that ESP's webhooks and no other's (config/webhooks.py)."""
    original = settings.ANYMAIL_ESP

    def mount(esp: str) -> None:
        settings.ANYMAIL_ESP = esp
        importlib.reload(config.urls)
        clear_url_caches()

    yield mount
    mount(original)


# Figures a test records with record_property("figures", "...") (the hostile-input fuzz's
# counts), printed at the end of the run; user_properties reach the controlling process
# under pytest-xdist too.
_figures: list[str] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        _figures.extend(value for name, value in report.user_properties if name == "figures")


def pytest_terminal_summary(terminalreporter):
    if _figures:
        terminalreporter.section("figures")
        for line in _figures:
            terminalreporter.write_line(line)

"""A page tree for the cms tests: root → HomePage (default site) → ActionIndexPage → cases."""

import pytest
from wagtail.models import Locale, Page, Site

from cms.models import ActionIndexPage, ActionPage, HomePage, StandardPage
from tests.factories import UrgentActionFactory


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def english(db):
    locale, _created = Locale.objects.get_or_create(language_code="en")
    return locale


@pytest.fixture
def spanish(db):
    locale, _created = Locale.objects.get_or_create(language_code="es")
    return locale


@pytest.fixture
def home(english):
    root = Page.get_first_root_node()
    home = root.add_child(
        instance=HomePage(title="Pluma", slug="pluma-home", intro="<p>Write for rights.</p>")
    )
    publish(home)
    site = Site.objects.get(is_default_site=True)
    site.root_page = home
    site.save()
    return home


@pytest.fixture
def index(home):
    index = home.add_child(instance=ActionIndexPage(title="Urgent Actions", slug="actions"))
    return publish(index)


@pytest.fixture
def privacy(home):
    page = home.add_child(
        instance=StandardPage(
            title="Privacy", slug="privacy", body=[("paragraph", "<p>We keep little.</p>")]
        )
    )
    return publish(page)


@pytest.fixture
def add_action_page(index):
    """Make a live ActionPage under the index for a case (a new open case by default)."""

    def add(action=None, *, parent=None, **fields):
        action = action or UrgentActionFactory()
        fields.setdefault("title", action.title)
        fields.setdefault("slug", action.slug)
        fields.setdefault("summary", f"Summary of {action.title}")
        page = (parent or index).add_child(instance=ActionPage(action=action, **fields))
        return publish(page)

    return add


@pytest.fixture
def translate(spanish):
    """Copy a page (and, if needed, its parents) into Spanish and publish the copy."""

    def translate(page, **changes):
        copy = page.copy_for_translation(spanish, copy_parents=True)
        for name, value in changes.items():
            setattr(copy, name, value)
        copy.save()
        return publish(copy)

    return translate

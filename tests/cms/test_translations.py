import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import FollowUpFactory, FollowUpTextFactory, UrgentActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual_case(home, index, add_action_page, translate):
    """A case page in English and its Spanish translation, with a follow-up in both."""
    action = UrgentActionFactory(
        number="58/20",
        category="detention",
        deadline=timezone.localdate() + datetime.timedelta(days=9),
    )
    follow_up = FollowUpFactory(action=action, sequence=1)
    FollowUpTextFactory(follow_up=follow_up, language="en", title="Released on bail")
    FollowUpTextFactory(follow_up=follow_up, language="es", title="Liberado bajo fianza")
    english = add_action_page(action, title="Let lawyers in", slug="58-20")
    translate(home)
    translate(index, slug="acciones", title="Acciones urgentes")
    spanish = translate(english, title="Que entren los abogados", summary="Resumen en español")
    return english, spanish


def test_spanish_translation_shows_spanish_ui_and_the_same_case(client, bilingual_case):
    english, spanish = bilingual_case

    response = client.get("/es/acciones/58-20/")

    html = response.content.decode()
    assert response.status_code == 200
    assert spanish.action_id == english.action_id
    assert '<html lang="es">' in html
    assert "Que entren los abogados" in html
    assert "UA 58/20" in html
    assert "Acceso a centros de detención" in html
    assert re.search(r"Actúa antes del \d{1,2} de [a-z]+ de \d{4}", html)
    assert "Quedan 9 días" in html
    assert "Actúa" in html and "Act before" not in html


def test_follow_ups_appear_in_the_page_language(client, bilingual_case):
    english_html = client.get("/actions/58-20/").content.decode()
    spanish_html = client.get("/es/acciones/58-20/").content.decode()

    assert "Released on bail" in english_html and "Liberado" not in english_html
    assert "Liberado bajo fianza" in spanish_html and "Released on bail" not in spanish_html


def test_language_switcher_links_each_translation_of_the_page(client, bilingual_case):
    english_html = client.get("/actions/58-20/").content.decode()
    spanish_html = client.get("/es/acciones/58-20/").content.decode()

    assert re.search(r'<a href="/es/acciones/58-20/" hreflang="es"', english_html)
    assert re.search(r'<a href="/actions/58-20/" hreflang="en"', spanish_html)


def test_language_switcher_leaves_out_languages_without_a_translation(client, add_action_page):
    add_action_page(slug="english-only")

    html = client.get("/actions/english-only/").content.decode()

    assert 'hreflang="es"' not in html


def test_spanish_index_lists_only_spanish_pages(client, bilingual_case, add_action_page):
    add_action_page(UrgentActionFactory(title="Only in English"))

    html = client.get("/es/acciones/").content.decode()

    assert "Que entren los abogados" in html
    assert "Only in English" not in html


def test_off_pages_the_switcher_is_the_set_language_form(client, home):
    html = client.get("/no-such-page/").content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert 'name="language"' in html


def test_the_set_language_form_switches_to_spanish_off_pages(client, home):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/no-such-page/"})

    assert response.status_code == 302
    assert response["Location"] == "/es/no-such-page/"
    assert client.get("/es/no-such-page/").content.decode().count('<html lang="es">') == 1

from django.template.loader import render_to_string
from django.utils import translation


def test_the_500_page_renders_without_a_request_or_database():
    with translation.override("en"):
        html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert 'href="/"' in html

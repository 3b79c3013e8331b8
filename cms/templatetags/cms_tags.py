"""Template tags for the site frame: navigation and the language switcher."""

from django import template
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale, Page

from cms.models import ActionIndexPage, StandardPage

register = template.Library()

PRIVACY_SLUG = "privacy"


def _active_locale() -> Locale | None:
    try:
        return Locale.get_active()
    except Locale.DoesNotExist:
        return None


@register.simple_tag
def action_index_page():
    """The live case index in the visitor's language, else in any language."""
    pages = ActionIndexPage.objects.live()
    locale = _active_locale()
    return (locale and pages.filter(locale=locale).first()) or pages.first()


@register.simple_tag
def privacy_page():
    """The privacy page: the live StandardPage with the slug "privacy" in this language."""
    pages = StandardPage.objects.live().filter(slug=PRIVACY_SLUG)
    locale = _active_locale()
    return (locale and pages.filter(locale=locale).first()) or pages.first()


@register.simple_tag(takes_context=True)
def page_translations(context, page: Page) -> list[dict]:
    """One link per site language to this page's live translation in it, if there is one."""
    request = context.get("request")
    current = translation.get_language()
    by_language = {
        translated.locale.language_code: translated
        for translated in page.get_translations(inclusive=True).live().select_related("locale")
    }
    links = []
    for code, _name in settings.LANGUAGES:
        translated = by_language.get(code)
        if translated is None:
            continue
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": translated.get_url(request),
                "is_current": code == current,
            }
        )
    return links

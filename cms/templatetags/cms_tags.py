"""Template tags for the site frame: navigation and the language switcher."""

from django import template
from django.conf import settings
from django.core.cache import caches
from django.utils import translation
from wagtail.models import Page

from cms.models import ActionIndexPage, StandardPage

register = template.Library()

PRIVACY_SLUG = "privacy"


# The frame's links are on every page, including the signing journey's pages, which the
# page cache does not keep (check your email, thanks): each process keeps them this long,
# and forgets them at once when a page is published, unpublished, moved or deleted here.
SITE_LINKS_SECONDS = 30


def _url_in_language(pages, language: str) -> str:
    """The URL of the first page in ``language``, else in any language, or ''."""
    page = pages.filter(locale__language_code=language).first() or pages.first()
    return page.get_url() if page is not None else ""


@register.simple_tag
def site_links() -> dict[str, str]:
    """The case index and the privacy page (the live StandardPage with the slug
    "privacy") in the visitor's language, else in any: {"actions": url, "privacy": url}."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = f"cms:site-links:{language}"
    local = caches["local"]
    links = local.get(key)
    if links is None:
        links = {
            "actions": _url_in_language(ActionIndexPage.objects.live(), language),
            "privacy": _url_in_language(
                StandardPage.objects.live().filter(slug=PRIVACY_SLUG), language
            ),
        }
        local.set(key, links, SITE_LINKS_SECONDS)
    return links


def forget_site_links(**kwargs) -> None:
    caches["local"].delete_many(
        [f"cms:site-links:{language}" for language, _name in settings.LANGUAGES]
    )


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

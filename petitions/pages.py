"""Where a case is presented, without importing the cms app (which depends on us).

Any Wagtail page model with a foreign key to UrgentAction presents that case; we find
those relations through the model's metadata.
"""

from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page

from campaigns.models import UrgentAction


def _page_relations():
    for rel in UrgentAction._meta.related_objects:
        if rel.one_to_many and issubclass(rel.related_model, Page):
            yield rel.related_model, rel.field.name


def case_page_url(action: UrgentAction, language: str | None = None) -> str:
    """Full URL of the live page of ``action`` in ``language`` (default: the site's), or ''."""
    language = language or settings.LANGUAGE_CODE
    key = f"petitions:page-url:{action.pk}:{language}"
    url = cache.get(key)
    if url is None:
        url = ""
        for model, field in _page_relations():
            pages = model.objects.live().filter(**{field: action})
            page = (
                pages.filter(locale__language_code=language).first()
                or pages.filter(locale__language_code=settings.LANGUAGE_CODE).first()
            )
            if page is not None:
                url = page.get_full_url() or ""
                break
        cache.set(key, url, 60)
    return url

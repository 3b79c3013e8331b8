"""The pages that present cases, as campaigns asks for them (campaigns.pages).

Registered in CmsConfig.ready: emails, the API and consents below cms learn a case's
address and shown revision here, without importing cms.
"""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Page

from campaigns.models import UrgentAction

from .models import ActionPage


class ActionPages:
    """Live ActionPages: the one in the language asked for, else the site's language."""

    def page(self, action: UrgentAction, language: str) -> Page | None:
        pages = ActionPage.objects.live().filter(action=action)
        return (
            pages.filter(locale__language_code=language).first()
            or pages.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        )

    def path(self, action: UrgentAction, language: str) -> str | None:
        page = self.page(action, language)
        parts = page.get_url_parts() if page is not None else None
        return parts[2] if parts else None

    def live_revision_id(self, action: UrgentAction, language: str) -> int | None:
        page = self.page(action, language)
        return page.live_revision_id if page is not None else None

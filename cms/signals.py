"""Reactions to Wagtail's page life cycle."""

from django.db.models.signals import post_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from campaigns import pages as case_pages
from campaigns import services as campaign_services


def open_case_on_publish(sender, instance, **kwargs):
    """Publishing a case page opens its draft case.

    The signal fires for the editor's publish, a moderator's approval and the
    `publish_scheduled` command alike; open_action acts only on drafts, so publishing a
    translation or a later revision changes nothing.
    """
    from .models import ActionPage

    page = instance.specific
    if isinstance(page, ActionPage):
        campaign_services.open_action(action=page.action)


def forget_case_url(sender, instance, **kwargs):
    """A case page published, unpublished or moved: emails link to its new address at once."""
    action_id = getattr(instance.specific, "action_id", None)
    if action_id is not None:
        case_pages.forget_case_url(action_id)


def connect() -> None:
    from . import cache
    from .templatetags.cms_tags import forget_site_links

    page_published.connect(open_case_on_publish, dispatch_uid="cms.open_case_on_publish")
    cache.connect()
    page_published.connect(forget_case_url, dispatch_uid="cms.case_url.published")
    page_unpublished.connect(forget_case_url, dispatch_uid="cms.case_url.unpublished")
    post_page_move.connect(forget_case_url, dispatch_uid="cms.case_url.moved")
    # The frame's links (cms_tags.site_links) are kept a while by each process.
    page_published.connect(forget_site_links, dispatch_uid="cms.site_links.published")
    page_unpublished.connect(forget_site_links, dispatch_uid="cms.site_links.unpublished")
    post_page_move.connect(forget_site_links, dispatch_uid="cms.site_links.moved")
    post_delete.connect(forget_site_links, sender=Page, dispatch_uid="cms.site_links.deleted")

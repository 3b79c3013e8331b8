"""Reactions to Wagtail's page life cycle."""

from wagtail.signals import page_published

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


def connect() -> None:
    from . import cache

    page_published.connect(open_case_on_publish, dispatch_uid="cms.open_case_on_publish")
    cache.connect()

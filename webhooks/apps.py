from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        # campaigns.events asks which kinds are wanted before writing an event, and says
        # when events were committed; erasure clears what endpoints answered.
        from campaigns import events
        from campaigns.privacy import register

        from .privacy import WebhooksProvider
        from .services.endpoints import EventListener

        events.register(EventListener())
        register(WebhooksProvider())

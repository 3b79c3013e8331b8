from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = _("Replies")

    def ready(self) -> None:
        from anymail.signals import inbound

        from .signals import on_inbound

        inbound.connect(on_inbound, dispatch_uid="replies.on_inbound")

        from campaigns.privacy import register

        from .privacy import RepliesProvider

        register(RepliesProvider())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoversConfig(AppConfig):
    name = "handovers"
    verbose_name = _("Handovers")

    def ready(self) -> None:
        from campaigns.privacy import register

        from .privacy import HandoversProvider

        register(HandoversProvider())

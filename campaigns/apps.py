from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # Registers campaigns' own privacy provider (supporters, consents, subscriptions).
        from . import privacy  # noqa: F401

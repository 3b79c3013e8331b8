from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from campaigns import pages

        from . import signals
        from .case_pages import ActionPages

        signals.connect()
        pages.register(ActionPages())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions")

    def ready(self) -> None:
        from petitions.signals import action_reported

        from .impact import on_action_reported

        action_reported.connect(on_action_reported, dispatch_uid="actions.on_action_reported")

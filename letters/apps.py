from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Letters")

    def ready(self) -> None:
        from anymail.signals import tracking

        from .signals import on_tracking

        tracking.connect(on_tracking, dispatch_uid="letters.on_tracking")

        from campaigns.privacy import register

        from .privacy import LettersProvider

        register(LettersProvider())

        from campaigns import holds

        from .services.holds import HeldLetters

        holds.register(HeldLetters())

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from campaigns.signals import letter_confirmed, letter_written

        from .letter_hooks import on_letter_confirmed, on_letter_written

        letter_written.connect(on_letter_written, dispatch_uid="petitions.on_letter_written")
        letter_confirmed.connect(on_letter_confirmed, dispatch_uid="petitions.on_letter_confirmed")

        from campaigns.privacy import register

        from .privacy import PetitionsProvider

        register(PetitionsProvider())

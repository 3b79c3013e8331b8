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

        from campaigns import confirmations
        from campaigns.privacy import register

        from .confirmations import SIGNATURE
        from .privacy import PetitionsProvider

        register(PetitionsProvider())
        confirmations.register(SIGNATURE)

        from django.db.models.signals import post_save

        from campaigns.public import forget_public_cases

        from .models import Petition

        # The signing pages read a case with its petition through campaigns.public.
        post_save.connect(
            lambda **kwargs: forget_public_cases(),
            sender=Petition,
            weak=False,
            dispatch_uid="petitions.petition_saved",
        )

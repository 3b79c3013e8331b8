from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from campaigns import confirmations, email_requests
        from campaigns.privacy import register

        from . import services
        from .confirmations import SIGNATURE
        from .privacy import PetitionsProvider

        register(PetitionsProvider())
        confirmations.register(SIGNATURE)
        email_requests.register(services.NEW_LINK, services.answer_new_link_request)

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

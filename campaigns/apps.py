from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # privacy registers campaigns' own provider (supporters, consents, subscriptions);
        # public forgets this process's copies of public cases when one is saved; a worker
        # answers "send me my data" through privacy.
        from . import email_requests, privacy

        email_requests.register(privacy.DATA_LINK, privacy.answer_data_link_request)

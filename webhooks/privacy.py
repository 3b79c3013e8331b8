"""What webhooks hold about a supporter: nothing of their own, but an endpoint's answer
kept in the log may echo what it was sent (a name, an address), so erasure and retention
clear the answers to that supporter's events."""

from collections.abc import Collection

from django.db import models
from django.db.models import QuerySet

from campaigns.models import Supporter, UrgentAction
from campaigns.privacy import Record

from .models import WebhookDelivery


class WebhooksProvider:
    label = None  # nothing to export: events name supporters by ids only

    def export(self, supporter: Supporter) -> list[Record]:
        return []

    def erase(self, supporter: Supporter) -> int:
        return (
            WebhookDelivery.objects.filter(supporter_id=supporter.pk)
            .exclude(last_response="")
            .update(last_response="")
        )

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        return []

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        return set()

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        return (
            WebhookDelivery.objects.filter(event__case_id__in=list(action_ids))
            .exclude(last_response="")
            .update(last_response="")
        )

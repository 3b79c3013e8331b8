"""What handovers holds about a supporter, for campaigns.privacy (erasure, retention).

Built packs print the names of the signers who agreed to pass them on: copies of
petitions' signatures, so the export has nothing of the supporter's own to show here, and
retention finds no supporter here to keep. Erasure and retention take the names out of
the packs (services.strip_names): their files are deleted and rebuilt from signatures that
no longer carry them.
"""

from collections.abc import Collection

from django.db import models
from django.db.models import QuerySet

from campaigns.models import Consent, Supporter, UrgentAction
from campaigns.privacy import Record

from .services import strip_names


class HandoversProvider:
    # No section of its own in the supporter's export (see above).
    label = None

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        return []

    def export(self, supporter: Supporter) -> list[Record]:
        return []

    def erase(self, supporter: Supporter) -> int:
        # Packs already built may list the name: cases where they agreed to pass it on.
        named_on = Consent.objects.filter(
            supporter=supporter, kind=Consent.Kind.SHARE_NAME, action__isnull=False
        ).values_list("action_id", flat=True)
        return strip_names(action_ids=list(named_on))

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        return set()

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        return strip_names(action_ids=action_ids)

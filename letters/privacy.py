"""What letters holds about a supporter, for campaigns.privacy (export, erasure, retention)."""

from collections.abc import Collection

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Supporter, UrgentAction
from campaigns.privacy import in_chunks, row

from .models import Delivery, Letter

LETTER_FIELDS = ["name", "city", "country", "subject", "body", "network", "email_domain"]
# What erasure and retention blank (the country stays, as on signatures: counts by country
# are made of it).
BLANKED = ["name", "city", "subject", "body", "network", "email_domain"]


def _cancel_undelivered(letters: QuerySet[Letter]) -> int:
    """Letters not yet sent are not sent: pending ones and queued deliveries are cancelled."""
    now = timezone.now()
    changed = letters.filter(status=Letter.Status.PENDING_CONFIRMATION).update(
        status=Letter.Status.CANCELLED, cancelled_at=now
    )
    return changed + Delivery.objects.filter(
        letter__in=letters, status=Delivery.Status.QUEUED
    ).update(status=Delivery.Status.CANCELLED, cancelled_at=now, lease_expires_at=None)


def _blank(letters: QuerySet[Letter]) -> int:
    not_blank = Q()
    for name in BLANKED:
        not_blank |= ~Q(**{name: ""})
    return letters.filter(not_blank).update(**dict.fromkeys(BLANKED, ""))


class LettersProvider:
    label = _("Letters")

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        return [(Letter, name) for name in LETTER_FIELDS]

    # Rows as campaigns.privacy.row makes them: field name -> a JSON scalar.
    def export(self, supporter: Supporter) -> list[dict[str, str | int | float | bool | None]]:
        rows = []
        letters = (
            Letter.objects.filter(supporter=supporter)
            .select_related("case")
            .prefetch_related("targets", "deliveries__target")
        )
        for letter in letters:
            rows.append(
                row(
                    letter,
                    [*LETTER_FIELDS, "language", "status", "created_at", "confirmed_at"],
                    record="letter",
                    case=letter.case.number,
                    to="; ".join(str(target) for target in letter.targets.all()),
                    deliveries="; ".join(
                        f"{delivery.target}: {delivery.get_status_display()}"
                        for delivery in letter.deliveries.all()
                    ),
                )
            )
        return rows

    def erase(self, supporter: Supporter) -> int:
        letters = Letter.objects.filter(supporter=supporter)
        return _cancel_undelivered(letters) + _blank(letters)

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        found: set[int] = set()
        for chunk in in_chunks(among):
            letters = Letter.objects.filter(case__in=on_cases)
            if chunk is not None:
                letters = letters.filter(supporter_id__in=chunk)
            found.update(letters.values_list("supporter_id", flat=True).distinct())
        return found

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        letters = Letter.objects.filter(case_id__in=action_ids)
        return _cancel_undelivered(letters) + _blank(letters)

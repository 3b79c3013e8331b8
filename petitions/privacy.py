"""What petitions holds about a supporter, for campaigns.privacy (export, erasure, retention)."""

from collections.abc import Collection

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import Supporter, UrgentAction
from campaigns.privacy import Record, in_chunks, row

from .models import ReportedAction, Signature, SolidarityMessage

SIGNATURE_FIELDS = ["name", "country", "postal_code", "city", "comment", "network", "email_domain"]
MESSAGE_FIELDS = ["name", "country", "message"]
# What erasure and retention blank on a signature (the country stays: counts by country
# are made of it).
BLANKED = ["name", "postal_code", "city", "comment", "network", "email_domain"]


def _blank(signatures: QuerySet[Signature]) -> int:
    not_blank = Q()
    for name in BLANKED:
        not_blank |= ~Q(**{name: ""})
    return signatures.filter(not_blank).update(**dict.fromkeys(BLANKED, ""))


class PetitionsProvider:
    label = _("Signatures and messages")

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        return [
            *((Signature, name) for name in SIGNATURE_FIELDS),
            *((SolidarityMessage, name) for name in MESSAGE_FIELDS),
        ]

    def export(self, supporter: Supporter) -> list[Record]:
        rows = []
        for signature in Signature.objects.filter(supporter=supporter).select_related("action"):
            rows.append(
                row(
                    signature,
                    [*SIGNATURE_FIELDS, "language", "status", "signed_at", "confirmed_at"],
                    record="signature",
                    case=signature.action.number,
                )
            )
        for message in SolidarityMessage.objects.filter(supporter=supporter).select_related(
            "action"
        ):
            rows.append(
                row(
                    message,
                    [*MESSAGE_FIELDS, "status", "created_at"],
                    record="solidarity_message",
                    case=message.action.number,
                )
            )
        for report in ReportedAction.objects.filter(supporter=supporter).select_related("action"):
            rows.append(
                row(
                    report,
                    ["reported_at"],
                    record="reported_action",
                    what=str(report.get_kind_display()),
                    case=report.action.number,
                )
            )
        return rows

    def erase(self, supporter: Supporter) -> int:
        # Signatures stay, without the person: they are what the counts count.
        changed = _blank(Signature.objects.filter(supporter=supporter))
        return changed + SolidarityMessage.objects.filter(supporter=supporter).delete()[0]

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        found: set[int] = set()
        for chunk in in_chunks(among):
            for model in (Signature, ReportedAction, SolidarityMessage):
                rows = model.objects.filter(action__in=on_cases, supporter__isnull=False)
                if chunk is not None:
                    rows = rows.filter(supporter_id__in=chunk)
                found.update(rows.values_list("supporter_id", flat=True).distinct())
        return found

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        changed = _blank(Signature.objects.filter(action_id__in=action_ids))
        return changed + SolidarityMessage.objects.filter(action_id__in=action_ids).exclude(
            name=""
        ).update(name="", supporter=None)

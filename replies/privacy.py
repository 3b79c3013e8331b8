"""What replies holds about a supporter, for campaigns.privacy (export, erasure, retention).

Replies themselves come from officials; what is the supporter's are their answers to "did
you get a reply?" and the photos of postal replies they uploaded.
"""

from collections.abc import Collection

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.models import Supporter, UrgentAction
from campaigns.privacy import row

from .models import ReplyQuestion


class RepliesProvider:
    label = _("Your answers about replies")

    def personal_fields(self) -> list[tuple[type[models.Model], str]]:
        # Answers are choices and timestamps; the upload is a file, erased below.
        return []

    # Rows as campaigns.privacy.row makes them: field name -> a JSON scalar.
    def export(self, supporter: Supporter) -> list[dict[str, str | int | float | bool | None]]:
        questions = ReplyQuestion.objects.filter(letter__supporter=supporter).exclude(answer="")
        return [
            row(
                question,
                ["answered_at"],
                record="reply_answer",
                case=question.letter.case.number,
                target=str(question.target),
                answer=str(question.get_answer_display()),
            )
            for question in questions.select_related("letter__case", "target")
        ]

    def erase(self, supporter: Supporter) -> int:
        changed = 0
        questions = ReplyQuestion.objects.filter(letter__supporter=supporter).exclude(upload="")
        for question in questions:
            # A photo of a postal reply shows the supporter's name and address.
            question.upload.delete(save=False)
            ReplyQuestion.objects.filter(pk=question.pk).update(upload="")
            changed += 1
        return changed

    def supporter_ids(
        self, *, on_cases: QuerySet[UrgentAction], among: Collection[int] | None = None
    ) -> set[int]:
        # Every question hangs on a letter, and letters' provider already names its writer.
        return set()

    def anonymise_cases(self, *, action_ids: Collection[int]) -> int:
        # As before the move: retention leaves answers and uploads to erasure (erase above).
        return 0

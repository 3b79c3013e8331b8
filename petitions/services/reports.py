"""Actions supporters report having taken offline: counted once per person, case and kind."""

import logging

from django.db import IntegrityError, transaction
from django.utils import translation

from campaigns import supporters
from campaigns.models import UrgentAction

from .. import counts
from ..models import ReportedAction

logger = logging.getLogger(__name__)


def report_action(*, action: UrgentAction, email: str, kind: str) -> bool:
    """Count an offline action once per person (canonical email), case and kind.

    Returns whether it was new; callers answer the same either way, so the form cannot
    tell anyone whether an address acted before. It changes nothing about the supporter
    (campaigns.supporters): nobody confirmed that this address is theirs.
    """
    with transaction.atomic():
        supporter = supporters.supporter_for(email=email, language=translation.get_language())
        try:
            with transaction.atomic():
                ReportedAction.objects.create(action=action, supporter=supporter, kind=kind)
        except IntegrityError:
            return False
        transaction.on_commit(lambda: counts.forget_reported(action.pk))
    logger.info("Reported %s on UA %s", kind, action.number)
    return True

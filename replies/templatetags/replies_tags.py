from django import template

from campaigns.models import UrgentAction

from ..models import Reply
from ..responsiveness import Responsiveness, responsiveness

register = template.Library()


@register.simple_tag
def published_replies(action: UrgentAction) -> list[Reply]:
    """The replies organizers published on the case, oldest first (a timeline)."""
    return list(
        Reply.objects.filter(case=action, state=Reply.State.PUBLISHED)
        .select_related("target")
        .order_by("published_at")
    )


@register.simple_tag
def case_responsiveness(action: UrgentAction) -> list[Responsiveness]:
    return responsiveness(case=action)

from django import template

from campaigns.models import UrgentAction

from .. import impact

register = template.Library()


@register.simple_tag
def case_impact(action: UrgentAction) -> impact.Impact:
    """The case's impact number (cached parts, so a page view scans nothing)."""
    return impact.impact_for(action)

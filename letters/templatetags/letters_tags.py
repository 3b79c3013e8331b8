from django import template

from campaigns.models import UrgentAction

from ..forms import ChooseForm

register = template.Library()


@register.simple_tag
def write_choice_form(action: UrgentAction) -> ChooseForm:
    """An unbound choice of officials for the case page, the same for every visitor."""
    return ChooseForm(action=action)

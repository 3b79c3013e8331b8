import contextlib

from django import template
from django.utils import translation
from wagtail.models import Locale, Page

from campaigns.models import UrgentAction

from .. import counts
from ..forms import ReportActionForm, SignatureForm, signature_form
from ..models import Petition, PetitionText

register = template.Library()


@register.simple_tag
def petition_of(action: UrgentAction) -> Petition | None:
    try:
        return action.petition
    except Petition.DoesNotExist:
        return None


@register.simple_tag
def petition_form(action: UrgentAction, page: object = None) -> SignatureForm:
    """An unbound signing form for the case, the same for every visitor (its start time
    is when the page was rendered)."""
    return signature_form(petition_of(action))


@register.simple_tag
def blank_report_form() -> ReportActionForm:
    """An unbound "did you act another way?" form, the same for every visitor."""
    return ReportActionForm()


@register.simple_tag
def petition_text(petition: Petition | None) -> PetitionText | None:
    if petition is None:
        return None
    return petition.text_in(translation.get_language())


@register.simple_tag
def petition_counts(action: UrgentAction) -> counts.Counts:
    return counts.counts_for(action)


@register.simple_tag
def privacy_url() -> str:
    """The privacy notice (the page with slug `privacy`) in the current language, or ''."""
    pages = Page.objects.live().filter(slug="privacy")
    page = None
    with contextlib.suppress(Locale.DoesNotExist):
        page = pages.filter(locale=Locale.get_active()).first()
    page = page or pages.first()
    return page.get_url() if page else ""

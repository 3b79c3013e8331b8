"""Letters' own pages after writing: check your email, thank you.

Writing itself (the form that may also sign the petition) is actions.views.write_letter;
confirming goes through campaigns' one confirm view (kind "letters", registered by
actions, because the same click confirms the signature written with the letters).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from campaigns.models import UrgentAction


def _case(slug: str) -> UrgentAction:
    """A public case by its URL number (58-20); drafts do not exist for the public."""
    return get_object_or_404(
        UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT),
        number=slug.replace("-", "/"),
    )


def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "letters/check_email.html", {"action": _case(slug)})


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "letters/thanks.html", {"action": _case(slug)})

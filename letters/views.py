"""Letters' own pages after writing: check your email, thank you.

Writing itself (the form that may also sign the petition) is actions.views.write_letter;
confirming goes through campaigns' one confirm view (kind "letters", registered by
actions, because the same click confirms the signature written with the letters).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.http import allow
from campaigns.public import public_case_or_404


@allow("GET")
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "letters/check_email.html", {"action": public_case_or_404(slug)})


@allow("GET")
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "letters/thanks.html", {"action": public_case_or_404(slug)})

"""Signing pages: request → form → service → response; nothing here decides what counts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from campaigns.models import UrgentAction
from campaigns.pages import case_url
from campaigns.public import public_case_or_404

from . import abuse, services
from .forms import CONSENT_LABEL, SHARE_NAME_LABEL, ResendForm, signature_form
from .models import Petition


def _case(slug: str) -> UrgentAction:
    """A public case by its URL number (58-20), with its petition: this process's copy of
    at most a couple of seconds, as signing is the hot path (campaigns/public.py)."""
    return public_case_or_404(slug, select_related=("petition",))


def petition_of(action: UrgentAction) -> Petition | None:
    try:
        return action.petition
    except Petition.DoesNotExist:
        return None


def _closed(request: HttpRequest, action: UrgentAction) -> HttpResponse:
    # 409: the request is fine, the case's state refuses it.
    return render(request, "petitions/closed.html", {"action": action}, status=409)


@never_cache
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """The signing form on a page of its own (no-script fallback, and where errors show)."""
    action = _case(slug)
    if not action.is_open:
        return _closed(request, action)
    petition = petition_of(action)
    if request.method == "GET":
        form = signature_form(
            petition,
            initial={
                "source": request.GET.get("utm_source"),
                # This page is never cached, so it can carry the visitor's own timestamp.
                "started": abuse.form_started_token(),
            },
        )
        return render(request, "petitions/sign.html", {"action": action, "form": form})
    form = signature_form(petition, request.POST)
    if not form.is_valid():
        return render(request, "petitions/sign.html", {"action": action, "form": form}, status=400)
    data = form.cleaned_data
    flag_reason = abuse.flag_reason(
        request, action=action, honeypot=data["website"], started=data["started"]
    )
    try:
        services.sign(
            action=action,
            name=data["name"],
            email=data["email"],
            country=data["country"],
            postal_code=data.get("postal_code", ""),
            city=data.get("city", ""),
            comment=data.get("comment", ""),
            language=translation.get_language(),
            source=data["source"],
            consent_text=str(CONSENT_LABEL) if data["consent"] else "",
            share_name_text=str(SHARE_NAME_LABEL) if data.get("share_name") else "",
            page_revision_id=data["page_revision"],
            flag_reason=flag_reason,
        )
    except services.SigningClosed:
        return _closed(request, action)
    # The same redirect whether this address signed before or not: nothing to probe.
    return redirect("petitions:check_email", slug=action.slug)


def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/check_email.html", {"action": _case(slug)})


@never_cache
@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a new confirmation link; the answer never says whether the address signed."""
    action = _case(slug)
    form = ResendForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.resend_confirmation(action=action, email=form.cleaned_data["email"])
            return redirect("petitions:check_email", slug=action.slug)
        status = 400
    else:
        status = 200
    return render(
        request, "petitions/new_link.html", {"action": action, "form": form}, status=status
    )


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(
        request,
        "petitions/thanks.html",
        {
            "action": action,
            "case_url": case_url(action, translation.get_language()),
            "has_targets": action.action_targets.exists(),
        },
    )

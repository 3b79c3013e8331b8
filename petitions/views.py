"""Signing pages, reporting an action and solidarity messages: request → form → service →
response; nothing here decides what counts."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from campaigns.models import UrgentAction
from campaigns.pages import case_url
from campaigns.public import public_case_or_404

from . import abuse, services
from .forms import (
    CONSENT_LABEL,
    SHARE_NAME_LABEL,
    ReportActionForm,
    ResendForm,
    SolidarityMessageForm,
    signature_form,
)
from .models import Petition
from .services import solidarity


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


# --- reported actions and solidarity messages -----------------------------------------


def _over_rate(request: HttpRequest, group: str) -> bool:
    return is_ratelimited(
        request,
        group=group,
        key=lambda _group, req: abuse.client_ip(req),
        rate=getattr(settings, "PLUMA_REPORT_RATE", "30/h"),
        method="POST",
        increment=True,
    )


# The case page is cached for everyone and carries no CSRF token; a forged report could
# only add one count per made-up address, which the rate limit caps, and needs no login.
@csrf_exempt
@require_POST
def report_action(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    form = ReportActionForm(request.POST)
    if not form.is_valid():
        context = {"action": action, "report_form": form}
        return render(request, "petitions/report_action.html", context, status=400)
    if _over_rate(request, f"petitions.report:{action.pk}"):
        return render(request, "petitions/too_many.html", {"action": action}, status=429)
    services.report_action(
        action=action, email=form.cleaned_data["email"], kind=form.cleaned_data["kind"]
    )
    # The same answer for a first and a repeated report: nothing to probe.
    return redirect("petitions:action_reported", slug=action.slug)


def action_reported(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(request, "petitions/reported.html", {"action": action})


@never_cache
@require_http_methods(["GET", "POST"])
def write_message(request: HttpRequest, slug: str) -> HttpResponse:
    """A solidarity message; stored for moderation, shown nowhere until approved."""
    action = _case(slug)
    if not solidarity.allows_messages(action):
        return render(request, "petitions/no_messages.html", {"action": action}, status=409)
    if request.method == "GET":
        context = {"action": action, "message_form": SolidarityMessageForm()}
        return render(request, "petitions/message.html", context)
    form = SolidarityMessageForm(request.POST)
    if not form.is_valid():
        context = {"action": action, "message_form": form}
        return render(request, "petitions/message.html", context, status=400)
    if _over_rate(request, f"petitions.message:{action.pk}"):
        return render(request, "petitions/too_many.html", {"action": action}, status=429)
    data = form.cleaned_data
    solidarity.write_message(
        action=action,
        name=data["name"],
        email=data["email"],
        country=data["country"],
        message=data["message"],
        language=translation.get_language(),
    )
    return redirect("petitions:message_sent", slug=action.slug)


def message_sent(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(request, "petitions/message_thanks.html", {"action": action})

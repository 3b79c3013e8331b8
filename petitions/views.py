"""Signing pages, reporting an action and solidarity messages: request → form → service →
response; nothing here decides what counts."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from campaigns.defences import client_network
from campaigns.http import allow
from campaigns.models import UrgentAction
from campaigns.pages import case_url, live_revision_id
from campaigns.public import public_case_or_404
from campaigns.public_forms import send_back, too_many

from . import services
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


# Public forms take no CSRF token: their pages are cached for everyone and work with
# scripts off. They check where a post comes from instead (campaigns/defences.py).
@csrf_exempt
@never_cache
@allow("GET", "POST")
def sign(request: HttpRequest, slug: str) -> HttpResponse:
    """The signing form on a page of its own (where errors show, and links from emails)."""
    action = _case(slug)
    if not action.is_open:
        return _closed(request, action)
    petition = petition_of(action)
    if request.method != "POST":
        form = signature_form(petition, initial={"source": request.GET.get("utm_source")})
        return render(request, "petitions/sign.html", {"action": action, "form": form})
    form = signature_form(petition, request.POST)
    if not form.is_valid():
        return render(request, "petitions/sign.html", {"action": action, "form": form}, status=400)
    data = form.cleaned_data
    screening = form.screen(
        request, scope=f"sign:{action.pk}", rate=settings.PLUMA_SIGN_RATE, email=data["email"]
    )
    if screening.refusal:
        context = {"action": action, "form": send_back(form, screening.refusal)}
        return render(request, "petitions/sign.html", context, status=400)
    if screening.over_rate:
        return too_many(request, {"action": action})
    language = translation.get_language()
    try:
        services.sign(
            action=action,
            name=data["name"],
            email=data["email"],
            country=data["country"],
            postal_code=data.get("postal_code", ""),
            city=data.get("city", ""),
            comment=data.get("comment", ""),
            language=language,
            source=data["source"],
            consent_text=str(CONSENT_LABEL) if data["consent"] else "",
            share_name_text=str(SHARE_NAME_LABEL) if data.get("share_name") else "",
            # The revision this site showed, not one the browser names.
            page_revision_id=live_revision_id(action, language),
            flag_reason=screening.flag,
            network=client_network(request),
        )
    except services.SigningClosed:
        return _closed(request, action)
    # The same redirect whether this address signed before or not: nothing to probe.
    return redirect("petitions:check_email", slug=action.slug)


@allow("GET")
def check_email(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "petitions/check_email.html", {"action": _case(slug)})


@csrf_exempt
@never_cache
@allow("GET", "POST")
def new_link(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask for a new confirmation link; the answer never says whether the address signed."""
    action = _case(slug)
    form = ResendForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            email = form.cleaned_data["email"]
            screening = form.screen(request, scope=f"new-link:{action.pk}", email=email)
            if screening.over_rate:
                return too_many(request, {"action": action})
            if screening.refusal:
                form = send_back(form, screening.refusal)
            else:
                if not screening.flag:
                    services.resend_confirmation(action=action, email=email)
                return redirect("petitions:check_email", slug=action.slug)
        status = 400
    else:
        status = 200
    return render(
        request, "petitions/new_link.html", {"action": action, "form": form}, status=status
    )


@allow("GET")
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


@csrf_exempt
@allow("POST")
def report_action(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    form = ReportActionForm(request.POST)
    if not form.is_valid():
        context = {"action": action, "report_form": form}
        return render(request, "petitions/report_action.html", context, status=400)
    email = form.cleaned_data["email"]
    screening = form.screen(request, scope=f"report:{action.pk}", email=email)
    if screening.over_rate:
        return too_many(request, {"action": action})
    if screening.refusal:
        context = {"action": action, "report_form": send_back(form, screening.refusal)}
        return render(request, "petitions/report_action.html", context, status=400)
    if not screening.flag:
        services.report_action(action=action, email=email, kind=form.cleaned_data["kind"])
    # The same answer for a first and a repeated report: nothing to probe.
    return redirect("petitions:action_reported", slug=action.slug)


@allow("GET")
def action_reported(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(request, "petitions/reported.html", {"action": action})


@csrf_exempt
@never_cache
@allow("GET", "POST")
def write_message(request: HttpRequest, slug: str) -> HttpResponse:
    """A solidarity message; stored for moderation, shown nowhere until approved."""
    action = _case(slug)
    if not solidarity.allows_messages(action):
        return render(request, "petitions/no_messages.html", {"action": action}, status=409)
    if request.method != "POST":
        context = {"action": action, "message_form": SolidarityMessageForm()}
        return render(request, "petitions/message.html", context)
    form = SolidarityMessageForm(request.POST)
    if not form.is_valid():
        context = {"action": action, "message_form": form}
        return render(request, "petitions/message.html", context, status=400)
    data = form.cleaned_data
    screening = form.screen(request, scope=f"message:{action.pk}", email=data["email"])
    if screening.over_rate:
        return too_many(request, {"action": action})
    if screening.refusal:
        context = {"action": action, "message_form": send_back(form, screening.refusal)}
        return render(request, "petitions/message.html", context, status=400)
    if not screening.flag:
        solidarity.write_message(
            action=action,
            name=data["name"],
            email=data["email"],
            country=data["country"],
            message=data["message"],
            language=translation.get_language(),
        )
    return redirect("petitions:message_sent", slug=action.slug)


@allow("GET")
def message_sent(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(request, "petitions/message_thanks.html", {"action": action})

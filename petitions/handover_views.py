"""Public pages of handovers and impact: verifying a pack, reporting an action, a message."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from . import abuse, handovers, impact, solidarity
from .handover_forms import ReportActionForm, SolidarityMessageForm, VerifyForm
from .models import Handover
from .views import _case


@require_http_methods(["GET"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a pack's fingerprint: the case, the count and the date; never a name."""
    if "fingerprint" not in request.GET:
        return render(request, "petitions/handovers/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return render(request, "petitions/handovers/verify.html", {"form": form}, status=400)
    pack = handovers.find_pack(form.cleaned_data["fingerprint"])
    if pack is None:
        context = {"form": form, "unknown": True}
        return render(request, "petitions/handovers/verify.html", context, status=404)
    handed = Handover.objects.filter(fingerprint=pack.fingerprint).select_related("recipient")
    context = {"form": form, "pack": pack, "action": pack.action, "handovers": handed}
    return render(request, "petitions/handovers/verify.html", context)


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
        return render(request, "petitions/handovers/report_action.html", context, status=400)
    if _over_rate(request, f"petitions.report:{action.pk}"):
        return render(request, "petitions/handovers/too_many.html", {"action": action}, status=429)
    impact.report_action(
        action=action, email=form.cleaned_data["email"], kind=form.cleaned_data["kind"]
    )
    # The same answer for a first and a repeated report: nothing to probe.
    return redirect("petitions:action_reported", slug=action.slug)


def action_reported(request: HttpRequest, slug: str) -> HttpResponse:
    action = _case(slug)
    return render(request, "petitions/handovers/reported.html", {"action": action})


@never_cache
@require_http_methods(["GET", "POST"])
def write_message(request: HttpRequest, slug: str) -> HttpResponse:
    """A solidarity message; stored for moderation, shown nowhere until approved."""
    action = _case(slug)
    if not solidarity.allows_messages(action):
        return render(
            request, "petitions/handovers/no_messages.html", {"action": action}, status=409
        )
    if request.method == "GET":
        context = {"action": action, "message_form": SolidarityMessageForm()}
        return render(request, "petitions/handovers/message.html", context)
    form = SolidarityMessageForm(request.POST)
    if not form.is_valid():
        context = {"action": action, "message_form": form}
        return render(request, "petitions/handovers/message.html", context, status=400)
    if _over_rate(request, f"petitions.message:{action.pk}"):
        return render(request, "petitions/handovers/too_many.html", {"action": action}, status=429)
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
    return render(request, "petitions/handovers/message_thanks.html", {"action": action})

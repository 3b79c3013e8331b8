"""Supporters' pages: subscribe, manage a subscription, unsubscribe, see and erase one's data.

request → form → service → response. No page needs an account: each acts on a signed
link from an email. Links that change something show a button (mail scanners follow
GET links); the unsubscribe links also take RFC 8058's one-click POST from mail clients,
which carries no CSRF token.
"""

import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import confirmations, defences, services
from .forms import EmailForm, EraseForm, SubscribeForm, SubscriptionChoicesForm
from .http import allow
from .links import LinkError, status_of
from .mail import read_subscription_token, read_unsubscribe_token
from .models import Consent, Supporter, UrgentAction
from .public_forms import REFUSALS, send_back, too_many
from .subscriptions import describe, subscription_for

SESSION_KEY = "campaigns.supporter"
# How long an opened data link keeps the supporter's pages open in this browser.
SESSION_SECONDS = 30 * 60


def _notice(request, heading: str, text: str, status: int = 200) -> HttpResponse:
    return render(
        request, "campaigns/notice.html", {"heading": heading, "text": text}, status=status
    )


def link_problem(
    request: HttpRequest, kind: str = "invalid", context: dict | None = None
) -> HttpResponse:
    """The one page for a link that cannot be used: 400 when it is not genuine, 410 when
    it was genuine but expired or was used."""
    context = {"kind": kind, **(context or {})}
    return render(request, "campaigns/link_problem.html", context, status=status_of(kind))


def _bad_link(request: HttpRequest) -> HttpResponse:
    return link_problem(request)


@csrf_exempt
@never_cache
@allow("GET", "POST")
def confirm(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Confirm what a link from an email names (campaigns/confirmations.py).

    GET shows a button and changes nothing (mail scanners follow links); POST confirms
    and redirects to what comes next. Mounted by each app on its own path, with ``kind``.
    """
    confirmation = confirmations.confirmation(kind)
    refused = request.method == "POST" and defences.is_cross_site(request)
    try:
        if request.method == "POST" and not refused:
            return redirect(confirmation.confirm(token))
        pending = confirmation.pending(token)
    except LinkError as error:
        return link_problem(
            request, error.kind, confirmations.problem_context(confirmation, token, error)
        )
    context = {"confirmation": confirmation, "pending": pending, "action": pending.action}
    if refused:
        context["refusal"] = REFUSALS[defences.Refusal.CROSS_SITE]
    return render(request, "campaigns/confirm.html", context, status=400 if refused else 200)


# --- subscriptions ---------------------------------------------------------------------------


@csrf_exempt
@never_cache
@allow("GET", "POST")
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            screening = form.screen(request, scope="subscribe", email=data["email"])
            if screening.over_rate:
                return too_many(request)
            if screening.refusal:
                form = send_back(form, screening.refusal)
                return render(request, "campaigns/subscribe.html", {"form": form}, status=400)
            if screening.flag:
                return redirect("campaigns:subscribe_sent")
            services.subscribe(
                email=data["email"],
                language=translation.get_language(),
                categories=data["categories"],
                countries=data["countries"],
                frequency=data["frequency"],
            )
            return redirect("campaigns:subscribe_sent")
        return render(request, "campaigns/subscribe.html", {"form": form}, status=400)
    return render(request, "campaigns/subscribe.html", {"form": form})


@allow("GET")
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        _("Check your email"),
        _("Press the button in the email we have sent you to start your subscription."),
    )


def _subscription(token: str):
    read = read_subscription_token(token)
    return subscription_for(subscription_id=read[0], token=read[1]) if read else None


@csrf_exempt
@never_cache
@allow("GET", "POST")
def confirm_subscription(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _subscription(token)
    if subscription is None or subscription.cancelled_at:
        return _bad_link(request)
    refused = request.method == "POST" and defences.is_cross_site(request)
    if request.method == "POST" and not refused:
        services.confirm_subscription(subscription=subscription)
        return redirect("campaigns:manage", token=token)
    context = {"subscription": subscription, "summary": describe(subscription)}
    if refused:
        context["refusal"] = REFUSALS[defences.Refusal.CROSS_SITE]
    return render(
        request, "campaigns/confirm_subscription.html", context, status=400 if refused else 200
    )


@csrf_exempt
@never_cache
@allow("GET", "POST")
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """Change or end a subscription, from the link in any of its emails."""
    subscription = _subscription(token)
    if subscription is None:
        return _bad_link(request)
    initial = {
        "categories": subscription.category_list,
        "countries": subscription.country_list,
        "frequency": subscription.frequency,
    }
    form = SubscriptionChoicesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and defences.is_cross_site(request):
        form.full_clean()
        form.add_error(None, REFUSALS[defences.Refusal.CROSS_SITE])
        status = 400
    elif request.method == "POST":
        if "cancel" in request.POST:
            services.cancel_subscription(subscription=subscription)
            return redirect("campaigns:manage", token=token)
        if not subscription.is_active:
            return _bad_link(request)
        if form.is_valid():
            services.change_subscription(subscription=subscription, **form.cleaned_data)
            return redirect("campaigns:manage", token=token)
        status = 400
    context = {"subscription": subscription, "form": form, "summary": describe(subscription)}
    return render(request, "campaigns/subscription.html", context, status=status)


@csrf_exempt
@never_cache
@allow("GET", "POST")
def subscription_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _subscription(token)
    if subscription is None:
        return _bad_link(request)
    if request.method == "POST":
        services.cancel_subscription(subscription=subscription)
        return _notice(request, _("You are unsubscribed"), _("We will not email you new cases."))
    return render(
        request, "campaigns/unsubscribe.html", {"what": _("emails about new Urgent Actions")}
    )


@csrf_exempt
@never_cache
@allow("GET", "POST")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop updates on one case; a POST (the button, or a mail client's one-click) does it."""
    read = read_unsubscribe_token(token)
    action = UrgentAction.objects.filter(pk=read[1]).first() if read else None
    if read is None or action is None:
        return _bad_link(request)
    what = _("updates on UA %(number)s") % {"number": action.number}
    if request.method == "POST":
        services.unsubscribe_from_case(supporter_id=read[0], action_id=action.pk)
        return _notice(
            request,
            _("You are unsubscribed"),
            _("We will not email you %(what)s any more.") % {"what": what},
        )
    return render(request, "campaigns/unsubscribe.html", {"what": what})


# --- supporters' data ---------------------------------------------------------------------------


@csrf_exempt
@never_cache
@allow("GET", "POST")
def my_data(request: HttpRequest) -> HttpResponse:
    """Ask for a link to one's data; the answer is the same for any address."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        screening = form.screen(request, scope="my-data", email=email)
        if screening.over_rate:
            return too_many(request)
        if screening.refusal:
            form = send_back(form, screening.refusal)
        else:
            if not screening.flag:
                services.request_data_link(email=email)
            return _notice(
                request,
                _("Check your email"),
                _(
                    "If we hold anything about this address, we have sent it a link to see it. "
                    "The link works once."
                ),
            )
    status = 400 if form.is_bound else 200
    return render(request, "campaigns/my_data.html", {"form": form}, status=status)


@csrf_exempt
@never_cache
@allow("GET", "POST")
def open_my_data(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and defences.is_cross_site(request):
        context = {"refusal": REFUSALS[defences.Refusal.CROSS_SITE]}
        return render(request, "campaigns/open_my_data.html", context, status=400)
    if request.method == "POST":
        supporter = services.open_data_link(token=token)
        if supporter is None:
            return _bad_link(request)
        request.session.cycle_key()
        request.session[SESSION_KEY] = {"id": supporter.pk, "until": time.time() + SESSION_SECONDS}
        return redirect("campaigns:my_data_view")
    return render(request, "campaigns/open_my_data.html")


def _supporter(request: HttpRequest) -> Supporter | None:
    """The supporter whose data link was opened in this browser, while it lasts."""
    opened = request.session.get(SESSION_KEY) or {}
    supporter_id = opened.get("id")
    if supporter_id is None or opened.get("until", 0) < time.time():
        return None
    return Supporter.objects.filter(pk=supporter_id, erased_at__isnull=True).first()


def _expired(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        _("Ask for a new link"),
        _("For your safety, this page is open for 30 minutes after you use your link."),
        status=403,
    )


@never_cache
@allow("GET")
def my_data_view(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    if supporter is None:
        return _expired(request)
    context = {
        "supporter": supporter,
        "data": services.export_data(supporter=supporter),
        "consents": supporter.consents.select_related("action").order_by("-granted_at"),
        "erase_form": EraseForm(),
    }
    return render(request, "campaigns/my_data_view.html", context)


@never_cache
@allow("GET")
def my_data_download(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    if supporter is None:
        return _expired(request)
    response = JsonResponse(
        services.export_data(supporter=supporter), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@allow("POST")
def withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    supporter = _supporter(request)
    if supporter is None:
        return _expired(request)
    if not Consent.objects.filter(pk=consent_id, supporter=supporter).exists():
        return _notice(request, _("Not found"), _("There is no such consent."), status=404)
    services.withdraw_consent(supporter=supporter, consent_id=consent_id)
    return redirect("campaigns:my_data_view")


@allow("POST")
def erase(request: HttpRequest) -> HttpResponse:
    supporter = _supporter(request)
    if supporter is None:
        return _expired(request)
    form = EraseForm(request.POST)
    if not form.is_valid():
        context = {
            "supporter": supporter,
            "data": services.export_data(supporter=supporter),
            "consents": supporter.consents.select_related("action").order_by("-granted_at"),
            "erase_form": form,
        }
        return render(request, "campaigns/my_data_view.html", context, status=400)
    services.erase_supporter(supporter=supporter)
    request.session.pop(SESSION_KEY, None)
    return _notice(
        request,
        _("Your data is erased"),
        _("Your name, email and letters are gone. Your actions still count, without your name."),
    )

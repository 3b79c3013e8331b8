"""The stop button in the admin (campaigns.holds): hold and resume a case or an official,
and send or drop what a closed case held.

One page per case and per official shows what waits (or is held) and the buttons; each
change is a POST of its own, CSRF-protected, permission-checked with `requires` (a plain
403 without the permission), logged in the object's history, and answered by a redirect
back to where it came from (the page, or the case's dashboard) with a message saying how
many letters and announcements it held or let go. Dropping letters asks first, on a page
of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from . import holds
from .forms import DropHeldForm, HoldForm
from .models import Target, UrgentAction
from .permissions import RequiresPermissions, requires

HOLD_CASE = "campaigns.hold_urgentaction"
HOLD_OFFICIAL = "campaigns.hold_target"


def _organizer(request: HttpRequest) -> User:
    # Admin URLs are for signed-in users only (Wagtail's require_admin_access).
    assert isinstance(request.user, User)
    return request.user


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """To the page the button was on (a ``next`` of this site), else ``default``."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


def _case_page(pk: int) -> str:
    return reverse("urgent_actions:hold", args=[pk])


def _official_page(pk: int) -> str:
    return reverse("targets:hold", args=[pk])


def _counts(held: holds.Held) -> dict[str, int]:
    return {"letters": held.letters, "announcements": held.announcements}


def _letters(n: int) -> str:
    return ngettext("%(n)d letter", "%(n)d letters", n) % {"n": n}


def _said(held: holds.Held) -> dict[str, str]:
    """The counts as words, for the messages: "2 letters", "1 announcement"."""
    announcements = ngettext("%(n)d announcement", "%(n)d announcements", held.announcements)
    return {
        "letters": _letters(held.letters),
        "announcements": announcements % {"n": held.announcements},
    }


# --- a case -------------------------------------------------------------------------------


class CaseHoldView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """The case's sending: held or not, what waits, and the buttons."""

    template_name = "campaigns/admin/case_hold.html"
    header_icon = "lock"
    required_permissions = (HOLD_CASE,)

    @cached_property
    def action(self) -> UrgentAction:
        # UrgentAction is a ClusterableModel (untyped): its queryset's answers are Any.
        action: UrgentAction = get_object_or_404(
            UrgentAction.objects.select_related("held_by"), pk=self.kwargs["pk"]
        )
        return action

    def get_page_title(self) -> str:
        return _("Sending of UA %(number)s") % {"number": self.action.number}

    def get_page_subtitle(self) -> str:
        return self.action.title

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            action=self.action,
            held=holds.held_counts(action=self.action),
            # Organizers may read a case, not edit it.
            back_url=reverse("urgent_actions:inspect", args=[self.action.pk]),
        )
        return context


@require_POST
@requires(HOLD_CASE)
def hold_case(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(UrgentAction, pk=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the reason under 300 characters."))
    elif holds.hold_case(action=action, by=_organizer(request), reason=form.cleaned_data["reason"]):
        held = holds.held_counts(action=action)
        log(
            instance=action,
            action="campaigns.hold",
            user=request.user,
            data={"reason": action.hold_reason, **_counts(held)},
        )
        messages.success(
            request,
            _("UA %(number)s is held: %(letters)s and %(announcements)s stopped.")
            % {"number": action.number, **_said(held)},
        )
    else:
        messages.warning(request, _("UA %(number)s was already held.") % {"number": action.number})
    return _back(request, _case_page(pk))


@require_POST
@requires(HOLD_CASE)
def resume_case(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(UrgentAction, pk=pk)
    held = holds.held_counts(action=action)
    if holds.resume_case(action=action, by=_organizer(request)):
        log(instance=action, action="campaigns.resume", user=request.user, data=_counts(held))
        if action.has_letters_held:
            text = _(
                "UA %(number)s resumed: %(announcements)s go now; %(letters)s wait for "
                "your choice, because the case closed."
            )
        else:
            text = _(
                "UA %(number)s resumed: %(letters)s and %(announcements)s go now, under "
                "the usual pace."
            )
        messages.success(request, text % {"number": action.number, **_said(held)})
    else:
        messages.warning(request, _("UA %(number)s was not held.") % {"number": action.number})
    return _back(request, _case_page(pk))


@require_POST
@requires(HOLD_CASE)
def send_held(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(UrgentAction, pk=pk)
    sent = holds.send_held(action=action, by=_organizer(request))
    if sent is None:
        messages.warning(request, _("No letters of this case are waiting for your choice."))
    else:
        log(
            instance=action, action="campaigns.send_held", user=request.user, data={"letters": sent}
        )
        text = (
            _("%(letters)s will go once the case is resumed.")
            if action.is_held
            else _("%(letters)s go now, under the usual pace.")
        )
        messages.success(request, text % {"letters": _letters(sent)})
    return _back(request, _case_page(pk))


class DropHeldView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """The confirmation step, then the drop: a closed case's held letters are cancelled."""

    template_name = "campaigns/admin/drop_held.html"
    header_icon = "bin"
    required_permissions = (HOLD_CASE,)

    @cached_property
    def action(self) -> UrgentAction:
        return get_object_or_404(UrgentAction, pk=self.kwargs["pk"])

    def get_page_title(self) -> str:
        return _("Drop the letters of UA %(number)s") % {"number": self.action.number}

    def get_page_subtitle(self) -> str:
        return self.action.title

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", DropHeldForm())
        context.update(
            action=self.action,
            held=holds.held_counts(action=self.action),
            back_url=_case_page(self.action.pk),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DropHeldForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        action = self.action
        dropped = holds.drop_held(
            action=action, by=_organizer(request), reason=form.cleaned_data["reason"]
        )
        if dropped is None:
            messages.warning(request, _("No letters of this case are waiting for your choice."))
        else:
            log(
                instance=action,
                action="campaigns.drop_held",
                user=request.user,
                data={"letters": dropped, "reason": form.cleaned_data["reason"]},
            )
            messages.success(
                request,
                _("%(letters)s dropped: they will not be sent.") % {"letters": _letters(dropped)},
            )
        return HttpResponseRedirect(_case_page(action.pk))


# --- an official --------------------------------------------------------------------------


class OfficialHoldView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """An official's letters: held or not, how many wait, and the button."""

    template_name = "campaigns/admin/official_hold.html"
    header_icon = "lock"
    required_permissions = (HOLD_OFFICIAL,)

    @cached_property
    def target(self) -> Target:
        return get_object_or_404(Target.objects.select_related("held_by"), pk=self.kwargs["pk"])

    def get_page_title(self) -> str:
        return _("Letters to %(official)s") % {"official": self.target}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            target=self.target,
            held=holds.held_counts(target=self.target),
            back_url=reverse("targets:index"),
        )
        return context


@require_POST
@requires(HOLD_OFFICIAL)
def hold_official(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Keep the reason under 300 characters."))
    elif holds.hold_official(
        target=target, by=_organizer(request), reason=form.cleaned_data["reason"]
    ):
        held = holds.held_counts(target=target)
        log(
            instance=target,
            action="campaigns.hold",
            user=request.user,
            data={"reason": target.hold_reason, "letters": held.letters},
        )
        messages.success(
            request,
            _("Letters to %(official)s are held: %(letters)s stopped.")
            % {"official": target, "letters": _letters(held.letters)},
        )
    else:
        messages.warning(request, _("%(official)s was already held.") % {"official": target})
    return _back(request, _official_page(pk))


@require_POST
@requires(HOLD_OFFICIAL)
def resume_official(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    held = holds.held_counts(target=target)
    if holds.resume_official(target=target, by=_organizer(request)):
        log(
            instance=target,
            action="campaigns.resume",
            user=request.user,
            data={"letters": held.letters},
        )
        messages.success(
            request,
            _(
                "Letters to %(official)s resumed: %(letters)s go now, under its pace, but "
                "for those of a case that is itself held."
            )
            % {"official": target, "letters": _letters(held.letters)},
        )
    else:
        messages.warning(request, _("%(official)s was not held.") % {"official": target})
    return _back(request, _official_page(pk))


LOG_ACTIONS = [
    ("campaigns.hold", gettext_lazy("Hold sending"), gettext_lazy("Sending held")),
    ("campaigns.resume", gettext_lazy("Resume sending"), gettext_lazy("Sending resumed")),
    (
        "campaigns.send_held",
        gettext_lazy("Send held letters"),
        gettext_lazy("Letters held at the close sent"),
    ),
    (
        "campaigns.drop_held",
        gettext_lazy("Drop held letters"),
        gettext_lazy("Letters held at the close dropped"),
    ),
]

"""A case's sources in the admin (actions.trending, actions.services.sources): which
networks and email domains its recent sign-ups and letters came from, the alerts about
them, and invalidating a source (and reversing it), with the log of both.

Reached from the case's own admin pages (a Sources button) and from its dashboard.
Seeing the page takes campaigns.view_invalidation; invalidating and reversing take
campaigns.invalidate_source (Organizers have both). Each change is a CSRF-protected POST,
permission-checked (a plain 403 without), logged in the case's history as well as in the
Invalidation itself, and answered by a redirect to the sources page with a message
saying what moved.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from campaigns.models import Invalidation, SourceKind, TrendingSource, UrgentAction
from campaigns.permissions import RequiresPermissions, requires

from . import services, trending
from .forms import InvalidateSourceForm, normalised_source

SEE_SOURCES = "campaigns.view_invalidation"
INVALIDATE = "campaigns.invalidate_source"
# The windows the page offers, in minutes, besides the configured one.
WINDOWS = (6 * 60, 24 * 60, 7 * 24 * 60)


def _organizer(request: HttpRequest) -> User:
    # Admin URLs are for signed-in users only (Wagtail's require_admin_access).
    assert isinstance(request.user, User)
    return request.user


def sources_url(action_id: int) -> str:
    return reverse("case_dashboard:sources", args=[action_id])


def _window_minutes(request: HttpRequest) -> int:
    offered = _windows()
    try:
        minutes = int(request.GET.get("minutes", ""))
    except ValueError:
        return offered[0]
    return minutes if minutes in offered else offered[0]


def _windows() -> list[int]:
    return list(dict.fromkeys([settings.PLUMA_TRENDING_WINDOW_MINUTES, *WINDOWS]))


def _said(invalidation: Invalidation) -> str:
    """What an invalidation changed, in words."""
    signatures = ngettext(
        "%(n)d signature (%(confirmed)d confirmed)",
        "%(n)d signatures (%(confirmed)d confirmed)",
        invalidation.signatures,
    ) % {"n": invalidation.signatures, "confirmed": invalidation.confirmed_signatures}
    letters = ngettext(
        "%(n)d letter (%(sent)d already sent)",
        "%(n)d letters (%(sent)d already sent)",
        invalidation.letters,
    ) % {"n": invalidation.letters, "sent": invalidation.letters_sent}
    return _("%(signatures)s and %(letters)s") % {"signatures": signatures, "letters": letters}


def _logged(invalidation: Invalidation) -> dict[str, Any]:
    return {
        "invalidation": invalidation.pk,
        "kind": invalidation.kind,
        "source": invalidation.source,
        "since": invalidation.since.isoformat() if invalidation.since else None,
        "until": invalidation.until.isoformat() if invalidation.until else None,
        "reason": invalidation.reason,
        "signatures": invalidation.signatures,
        "confirmed_signatures": invalidation.confirmed_signatures,
        "letters": invalidation.letters,
        "letters_sent": invalidation.letters_sent,
    }


def _criteria(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": SourceKind(data["kind"]),
        "source": data["source"],
        "since": data["since"],
        "until": data["until"],
    }


class _CaseView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):  # type: ignore[misc]  # Wagtail is untyped
    header_icon = "warning"
    # A page reached from the case's sources page (its breadcrumbs say so).
    is_under_sources = True

    @cached_property
    def action(self) -> UrgentAction:
        action: UrgentAction = get_object_or_404(UrgentAction, pk=self.kwargs["pk"])
        return action

    def get_page_subtitle(self) -> str:
        return self.action.title

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        # Wagtail's slim header shows the breadcrumbs, the last one as the page's title.
        items: list[dict[str, str]] = [
            *self.breadcrumbs_items,
            {
                "url": reverse("urgent_actions:inspect", args=[self.action.pk]),
                "label": _("UA %(number)s") % {"number": self.action.number},
            },
        ]
        if self.is_under_sources:
            items.append({"url": sources_url(self.action.pk), "label": _("Sources")})
        return [*items, {"url": "", "label": self.get_page_title()}]


class CaseSourcesView(_CaseView):
    """The case's busiest sources in a window, the alerts and the invalidations."""

    template_name = "actions/dashboard/sources.html"
    required_permissions = (SEE_SOURCES,)
    is_under_sources = False

    def get_page_title(self) -> str:
        return _("Sources")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        minutes = _window_minutes(self.request)
        since = timezone.now() - datetime.timedelta(minutes=minutes)
        context.update(
            action=self.action,
            minutes=minutes,
            windows=_windows(),
            sources=trending.case_sources(self.action, since=since),
            threshold=settings.PLUMA_TRENDING_THRESHOLD,
            shared_percent=settings.PLUMA_TRENDING_SHARED_PERCENT,
            alerts=TrendingSource.objects.filter(action=self.action).order_by("-alerted_at")[:20],
            invalidations=Invalidation.objects.filter(action=self.action).select_related(
                "invalidated_by", "reversed_by"
            )[:50],
            can_invalidate=self.request.user.has_perm(INVALIDATE),
            invalidate_url=reverse("case_dashboard:invalidate", args=[self.action.pk]),
            dashboard_url=reverse("case_dashboard:case", args=[self.action.pk]),
        )
        return context


class InvalidateSourceView(_CaseView):
    """The form: which source, when, why; a preview of what it matches; then the act."""

    template_name = "actions/dashboard/invalidate.html"
    header_icon = "warning"
    required_permissions = (INVALIDATE,)

    def get_page_title(self) -> str:
        return _("Invalidate a source")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A link from the sources page names the source; the preview shows what it matches.
        initial = {key: request.GET[key] for key in ("kind", "source") if key in request.GET}
        preview = None
        try:
            kind = SourceKind(initial.get("kind", ""))
            source = normalised_source(kind, initial.get("source", ""))
        except (ValueError, ValidationError):
            pass
        else:
            preview = self._matching(kind=kind, source=source)
        form = InvalidateSourceForm(initial=initial)
        return self.render_to_response(self.get_context_data(form=form, preview=preview))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InvalidateSourceForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        if "preview" in request.POST:
            return self.render_to_response(
                self.get_context_data(form=form, preview=self._matching(**_criteria(data)))
            )
        invalidation = services.invalidate_source(
            action=self.action,
            kind=SourceKind(data["kind"]),
            source=data["source"],
            since=data["since"],
            until=data["until"],
            reason=data["reason"],
            by=_organizer(request),
        )
        if invalidation is None:
            messages.warning(
                request, _("Nothing matched: no sign-up or letter from this source was left.")
            )
            return self.render_to_response(
                self.get_context_data(form=form, preview=self._matching(**_criteria(data)))
            )
        log(
            instance=self.action,
            action="actions.invalidate_source",
            user=request.user,
            data=_logged(invalidation),
        )
        messages.success(
            request,
            _("Invalidated %(what)s from %(source)s. You can reverse it below.")
            % {"what": _said(invalidation), "source": invalidation.source},
        )
        return HttpResponseRedirect(sources_url(self.action.pk))

    def _matching(
        self,
        *,
        kind: SourceKind,
        source: str,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> trending.Matching:
        criteria = Invalidation(
            action=self.action, kind=kind, source=source, since=since, until=until
        )
        return trending.matching(criteria)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(action=self.action, back_url=sources_url(self.action.pk))
        return context


@require_POST
@requires(INVALIDATE)
def reverse_invalidation(request: HttpRequest, pk: int) -> HttpResponse:
    invalidation = get_object_or_404(Invalidation.objects.select_related("action"), pk=pk)
    if services.reverse_invalidation(invalidation=invalidation, by=_organizer(request)):
        log(
            instance=invalidation.action,
            action="actions.reverse_invalidation",
            user=request.user,
            data=_logged(invalidation),
        )
        messages.success(
            request,
            _("Reversed: %(what)s count and go again.") % {"what": _said(invalidation)},
        )
    else:
        messages.warning(request, _("This invalidation was already reversed."))
    return HttpResponseRedirect(sources_url(invalidation.action_id))


LOG_ACTIONS = [
    (
        "actions.invalidate_source",
        gettext_lazy("Invalidate a source"),
        gettext_lazy("Sign-ups and letters from a source invalidated"),
    ),
    (
        "actions.reverse_invalidation",
        gettext_lazy("Reverse an invalidation"),
        gettext_lazy("Invalidation reversed"),
    ),
]

"""The per-case dashboard in the Wagtail admin: impact, actions per day, where they came from,
and the case's sending, with the stop button (campaigns.holds).

Every figure is one grouped query on an index that starts with the case (signatures by
(action, status, is_flagged, confirmed_at / country / source); reported actions by
(action, reported_at); letters by (case, status)), so the page costs a fixed number of
queries. The signature groupings still read each of the case's index entries, so they
are cached for a minute (see _grouped), and read from the replica when there is one, as
are the deliveries by state; what an organizer has just done (held letters, packs,
handovers) is read from the primary.
"""

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.core.cache import cache
from django.db.models import Count, Model, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_countries import countries
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from campaigns import holds
from campaigns.models import UrgentAction
from campaigns.permissions import RequiresPermissions
from campaigns.replica import replica_alias
from handovers.models import Handover, HandoverPack
from letters.models import Delivery, Letter
from petitions.models import ReportedAction, Signature, SolidarityMessage
from replies.models import Reply

from . import admin_views, impact

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, StrPromise

DAYS = 30
GROUPED_CACHE_SECONDS = 60
TOP = 12
CHART_HEIGHT = 120
BAR_WIDTH = 18


class DayCount(TypedDict):
    """A day's confirmed signatures, confirmed letters and reported actions."""

    day: datetime.date
    signatures: int
    letters: int
    reported: int
    total: int


class DayBar(DayCount):
    """A day of the chart: its counts and its bar's geometry in the SVG."""

    x: int
    height: int
    y: int


class _Grouped(TypedDict):
    days: list[DayBar]
    countries: list[tuple[str, int]]
    sources: list[tuple[str, int]]


class CaseDashboard(TypedDict):
    action: UrgentAction
    impact: impact.Impact
    days: list[DayBar]
    chart_width: int
    chart_height: int
    bar_width: int
    countries: list[tuple[str, int]]
    sources: "list[tuple[StrOrPromise, int]]"
    deliveries: "list[tuple[StrPromise, int]]"
    replies: int
    handovers: list[Handover]
    packs: list[HandoverPack]
    pending_messages: int
    held: holds.Held


def _counted(action: UrgentAction) -> QuerySet[Signature]:
    return Signature.objects.using(replica_alias()).filter(
        action=action, status=Signature.Status.CONFIRMED, is_flagged=False
    )


def _per_day(
    queryset: QuerySet[Model], field: str, since: datetime.datetime
) -> dict[datetime.date, int]:
    return dict(
        queryset.filter(**{f"{field}__gte": since})
        .annotate(day=TruncDate(field))
        .values_list("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    )


def actions_per_day(action: UrgentAction, *, days: int = DAYS) -> list[DayBar]:
    """One row per day of the last ``days`` (oldest first), with bar geometry for the SVG."""
    today = timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    signatures = _per_day(_counted(action), "confirmed_at", since)
    reported = _per_day(
        ReportedAction.objects.using(replica_alias()).filter(action=action), "reported_at", since
    )
    letters = _per_day(
        Letter.objects.using(replica_alias()).filter(
            case=action, status=Letter.Status.CONFIRMED, invalidation__isnull=True
        ),
        "confirmed_at",
        since,
    )
    counted: list[DayCount] = []
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        signed, wrote, did = signatures.get(day, 0), letters.get(day, 0), reported.get(day, 0)
        counted.append(
            DayCount(
                day=day, signatures=signed, letters=wrote, reported=did, total=signed + wrote + did
            )
        )
    peak = max((row["total"] for row in counted), default=0) or 1
    rows: list[DayBar] = []
    for index, row in enumerate(counted):
        height = round(row["total"] * CHART_HEIGHT / peak)
        rows.append(
            {**row, "x": index * (BAR_WIDTH + 4), "height": height, "y": CHART_HEIGHT - height}
        )
    return rows


def _top(queryset: QuerySet[Signature], field: str) -> list[tuple[str, int]]:
    return list(
        queryset.values_list(field)
        .annotate(n=Count("*"))
        .order_by("-n", field)[:TOP]
        .values_list(field, "n")
    )


def delivery_health(action: UrgentAction) -> "list[tuple[StrPromise, int]]":
    by_status = dict(
        Delivery.objects.using(replica_alias())
        .filter(letter__case=action)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Delivery.Status.choices)
    shown = ["sent", "delivered", "bounced", "failed"]
    rest = sum(n for status, n in by_status.items() if status not in shown)
    return [(labels[s], by_status.get(s, 0)) for s in shown] + [(_("Waiting"), rest)]


def replies(action: UrgentAction) -> int:
    """Replies from officials routed (or linked by hand) to the case."""
    return Reply.objects.filter(case=action, kind=Reply.Kind.REPLY).count()


def _grouped(action: UrgentAction) -> _Grouped:
    """The three groupings over the case's signatures, cached for GROUPED_CACHE_SECONDS.

    Each reads every index entry of the case (COUNT(*) lets PostgreSQL answer from the
    index alone): ~0.2 s per 100,000 signatures. Cached, a million-signature case costs
    that once a minute however many organizers keep the page open.
    """
    key = f"actions:dashboard:{action.pk}"
    value: _Grouped | None = cache.get(key)
    if value is None:
        counted = _counted(action)
        value = {
            "days": actions_per_day(action),
            "countries": _top(counted, "country"),
            "sources": _top(counted, "source"),
        }
        cache.set(key, value, GROUPED_CACHE_SECONDS)
    return value


def case_dashboard(action: UrgentAction) -> CaseDashboard:
    """Everything the dashboard shows; a fixed number of queries whatever the case's size."""
    grouped = _grouped(action)
    days = grouped["days"]
    return {
        "action": action,
        "impact": impact.impact_for(action),
        "days": days,
        "chart_width": len(days) * (BAR_WIDTH + 4),
        "chart_height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH,
        "countries": [(countries.name(code) or code or "—", n) for code, n in grouped["countries"]],
        "sources": [(source or _("(none)"), n) for source, n in grouped["sources"]],
        "deliveries": delivery_health(action),
        "replies": replies(action),
        "handovers": list(Handover.objects.filter(action=action).select_related("recipient")[:20]),
        "packs": list(HandoverPack.objects.filter(action=action).select_related("recipient")[:5]),
        "pending_messages": SolidarityMessage.objects.filter(
            action=action, status=SolidarityMessage.Status.PENDING
        ).count(),
        # Letters and announcements waiting (held, while the case is).
        "held": holds.held_counts(action=action),
    }


class _DashboardMixin(RequiresPermissions, WagtailAdminTemplateMixin):
    header_icon = "table"

    required_permissions = ("handovers.view_handover",)


class CaseListView(_DashboardMixin, TemplateView):
    template_name = "actions/dashboard/index.html"
    page_title = _("Case dashboards")

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["cases"] = UrgentAction.objects.exclude(status=UrgentAction.Status.DRAFT)[:200]
        return context


class CaseDashboardView(_DashboardMixin, TemplateView):
    template_name = "actions/dashboard/case.html"

    @cached_property
    def action(self) -> UrgentAction:
        return get_object_or_404(UrgentAction, pk=self.kwargs["pk"])

    def get_page_title(self) -> str:
        return _("Dashboard of UA %(number)s") % {"number": self.action.number}

    def get_page_subtitle(self) -> str:
        return self.action.title

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context.update(case_dashboard(self.action))
        context["new_pack_url"] = reverse("handover_packs:add")
        context["new_handover_url"] = reverse("handover_records:add")
        context["export_messages_url"] = reverse(
            "solidarity_messages:export", args=[self.action.pk]
        )
        context["can_hold"] = self.request.user.has_perm("campaigns.hold_urgentaction")
        if self.request.user.has_perm(admin_views.SEE_SOURCES):
            context["sources_url"] = admin_views.sources_url(self.action.pk)
        context["next"] = self.request.path
        return context


class DashboardViewSet(ViewSet):
    icon = "table"
    menu_label = _("Case dashboards")
    # The address it had in petitions, so organizers' bookmarks keep working.
    url_prefix = "petitions/dashboard"

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", CaseListView.as_view(), name="index"),
            path("<int:pk>/", CaseDashboardView.as_view(), name="case"),
            path("<int:pk>/sources/", admin_views.CaseSourcesView.as_view(), name="sources"),
            path(
                "<int:pk>/sources/invalidate/",
                admin_views.InvalidateSourceView.as_view(),
                name="invalidate",
            ),
            path(
                "invalidations/<int:pk>/reverse/",
                admin_views.reverse_invalidation,
                name="reverse_invalidation",
            ),
        ]

    @property
    def menu_url(self) -> str:
        return reverse(self.get_url_name("index"))

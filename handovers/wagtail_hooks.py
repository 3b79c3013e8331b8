"""Admin for handovers: delivery packs (with their progress and downloads) and handover
records. The case dashboards (actions) join the same menu through MENU_HOOK."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from campaigns.permissions import requires
from campaigns.private_files import stream_private

from . import services
from .forms import HandoverAdminForm
from .models import Handover, HandoverPack

# --- delivery packs -------------------------------------------------------------------


class PackCreateView(generic.CreateView):
    def save_instance(self) -> HandoverPack:
        data = self.form.cleaned_data
        return services.request_pack(
            action=data["action"],
            recipient=data["recipient"],
            include_names=data["include_names"],
            requested_by=self.request.user,
        )

    def get_success_url(self) -> str:
        return reverse("handover_packs:inspect", args=[self.object.pk])

    def get_success_message(self, instance: HandoverPack) -> str:
        return _("The pack is being built; this page shows its progress.")


class PackInspectView(generic.InspectView):
    fields = [
        "action",
        "recipient",
        "language",
        "include_names",
        "progress",
        "online_count",
        "paper_count",
        "named_count",
        "counted_until",
        "fingerprint",
        "files",
        "error",
    ]

    def get_progress_display_value(self) -> SafeString:
        pack = self.object
        url = reverse("handover_packs:progress", args=[pack.pk])
        done = pack.status in (HandoverPack.Status.READY, HandoverPack.Status.FAILED)
        # Polled while the task works, so the organizer sees it move without reloading
        # (a static script: the admin's Content-Security-Policy runs no inline code).
        return format_html(
            '<progress max="100" value="{}" data-pack-progress="{}"{}>{}%</progress> '
            "<span data-pack-status>{} · {}%</span>"
            '<script src="{}" defer></script>',
            pack.progress,
            url,
            mark_safe(" data-pack-done") if done else "",  # noqa: S308 -- a constant
            pack.progress,
            pack.get_status_display(),
            pack.progress,
            static("handovers/pack-progress.js"),
        )

    def get_files_display_value(self) -> str:
        if self.object.status != HandoverPack.Status.READY:
            return "—"
        return format_html(
            '<a class="button button-small" href="{}">PDF</a> '
            '<a class="button button-small button-secondary" href="{}">CSV</a>',
            reverse("handover_packs:download", args=[self.object.pk, "pdf"]),
            reverse("handover_packs:download", args=[self.object.pk, "csv"]),
        )

    def get_field_label(self, field_name: str, field: Field[Any, Any] | None) -> str:
        if field_name == "files":
            return _("Files")
        label: str = super().get_field_label(field_name, field)  # Wagtail is untyped
        return label


@requires("handovers.view_handoverpack")
def pack_progress(request: HttpRequest, pk: int) -> JsonResponse:
    pack = get_object_or_404(HandoverPack, pk=pk)
    done = pack.status in (HandoverPack.Status.READY, HandoverPack.Status.FAILED)
    return JsonResponse(
        {
            "status": pack.status,
            "label": pack.get_status_display(),
            "progress": pack.progress,
            "done": done,
        }
    )


PACK_FILE_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@requires("handovers.view_handoverpack")
def pack_download(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    """The pack's files, only to organizers, logged: they hold names, so never a URL."""
    pack = get_object_or_404(
        HandoverPack.objects.select_related("action"), pk=pk, status=HandoverPack.Status.READY
    )
    field = {"pdf": pack.pdf, "csv": pack.csv}.get(kind)
    if not field:
        raise Http404
    return stream_private(
        request,
        file=field,
        filename=f"ua-{pack.action.slug}-pack-{pack.pk}.{kind}",
        content_type=PACK_FILE_TYPES[kind],
        what=pack,
        kind=kind,
    )


class PackViewSet(ModelViewSet):
    model = HandoverPack
    icon = "doc-full"
    menu_label = gettext_lazy("Delivery packs")
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_class = PackCreateView
    inspect_view_class = PackInspectView
    list_display = [
        "__str__",
        "recipient",
        "status",
        Column("progress", label=gettext_lazy("Progress (%)")),
        Column("online_count", label=gettext_lazy("Online")),
        Column("paper_count", label=gettext_lazy("Paper")),
        Column("requested_at", label=gettext_lazy("Requested")),
    ]
    list_filter = ["status", "action"]
    panels = [
        FieldRowPanel([FieldPanel("action"), FieldPanel("recipient")]),
        FieldPanel("include_names"),
    ]

    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        patterns: list[URLPattern | URLResolver] = super().get_urlpatterns()  # Wagtail is untyped
        return patterns + [
            path("<int:pk>/progress/", pack_progress, name="progress"),
            path("<int:pk>/download/<str:kind>/", pack_download, name="download"),
        ]


# --- handovers ------------------------------------------------------------------------


class HandoverCreateView(generic.CreateView):
    def save_instance(self) -> Handover:
        data = dict(self.form.cleaned_data)
        try:
            return services.record_handover(**data, recorded_by=self.request.user)
        except ValidationError as error:  # pragma: no cover - the form checks first
            raise forms.ValidationError(error.messages) from error


class HandoverViewSet(ModelViewSet):
    model = Handover
    icon = "success"
    menu_label = gettext_lazy("Handovers")
    copy_view_enabled = False
    add_view_class = HandoverCreateView
    list_display = ["__str__", "recipient", "count_delivered", "is_receipt_acknowledged"]
    list_filter = ["action", "is_receipt_acknowledged"]
    search_fields = ["place", "delivered_by", "received_by", "notes"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("action"), FieldPanel("recipient")]),
            FieldPanel("pack"),
            FieldRowPanel([FieldPanel("handed_over_on"), FieldPanel("place")]),
            FieldRowPanel([FieldPanel("delivered_by"), FieldPanel("received_by")]),
            FieldRowPanel([FieldPanel("count_delivered"), FieldPanel("is_receipt_acknowledged")]),
            FieldPanel("photo"),
            FieldPanel("notes"),
        ],
        base_form_class=HandoverAdminForm,
    )


# Apps above this one add their own items to the menu through this hook (actions: the
# case dashboards), as they may not be imported here.
MENU_HOOK = "register_handovers_menu_item"


class HandoversViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Handovers")
    menu_icon = "success"
    menu_order = 165
    submenu_hook = MENU_HOOK
    items = (
        PackViewSet("handover_packs"),
        # Not the name "handovers": that is the namespace of the public /verify/ page.
        HandoverViewSet("handover_records", url_prefix="handovers"),
    )


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_viewset() -> HandoversViewSetGroup:
    return HandoversViewSetGroup()

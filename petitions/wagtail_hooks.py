"""Admin for petitions.

Editors set up each case's petition and keep the email blocklist; organizers read the
signatures (never editable here, and without addresses), record paper signatures, see a
case's report and, with the export permission, download its signatures; they moderate
solidarity messages, print the approved ones, and read the actions reported from offline.
"""

from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from campaigns.models import UrgentAction
from campaigns.permissions import WrittenBySitePolicy, requires
from campaigns.wagtail_hooks import ReadOnlyViewSet

from . import admin_views, counts, services
from .models import (
    ExportLog,
    PaperSignature,
    PaperTally,
    Petition,
    ReportedAction,
    Signature,
    SolidarityMessage,
)
from .services import solidarity

# Written only by the site itself: nobody adds, edits or deletes them here.
register_permission_policy(Signature, WrittenBySitePolicy(Signature))
register_permission_policy(ExportLog, WrittenBySitePolicy(ExportLog))


def _report_link(petition: Petition) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("petitions_report", args=[petition.action_id]), _("Report")
    )


class PetitionViewSet(ModelViewSet):
    model = Petition
    icon = "form"
    menu_label = _("Petitions")
    copy_view_enabled = False
    list_display = [
        "action",
        "goal",
        Column(
            "confirmed",
            label=_("Confirmed signatures"),
            accessor=lambda petition: counts.confirmed_count(petition.action_id),
        ),
        Column("report", label=_("Report"), accessor=_report_link),
    ]
    search_fields = ["action__number", "action__title"]


class SelectRelatedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("action")


class SignatureViewSet(ReadOnlyViewSet):
    """Read-only, and only what an organizer needs to judge a signature: no addresses."""

    model = Signature
    index_view_class = SelectRelatedIndexView
    icon = "user"
    menu_label = _("Signatures")
    list_display = ["name", "action", "country", "status", "is_flagged", "flag_reason", "signed_at"]
    list_filter = ["status", "is_flagged", "action"]
    inspect_view_fields = [
        "action",
        "name",
        "country",
        "city",
        "status",
        "is_flagged",
        "flag_reason",
        "source",
        "language",
        "signed_at",
        "confirmed_at",
    ]
    list_per_page = 50


class PaperCountMixin:
    """Paper counts are cached; every admin write to paper records forgets the case's."""

    def save_instance(self):
        old_action_id = getattr(self, "_old_action_id", None)
        instance = super().save_instance()
        for action_id in {old_action_id, instance.action_id} - {None}:
            services.paper_changed(action_id=action_id)
        return instance

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if getattr(self, "object", None) is not None:
            self._old_action_id = self.object.action_id


class PaperCreateView(PaperCountMixin, generic.CreateView):
    def save_instance(self):
        if self.model is PaperTally:
            self.form.instance.recorded_by = self.request.user
        return super().save_instance()


class PaperEditView(PaperCountMixin, generic.EditView):
    pass


class PaperDeleteView(generic.DeleteView):
    def delete_action(self):
        action_id = self.object.action_id
        super().delete_action()
        services.paper_changed(action_id=action_id)


class PaperTallyViewSet(ModelViewSet):
    model = PaperTally
    icon = "doc-full"
    menu_label = _("Paper tallies")
    copy_view_enabled = False
    add_view_class = PaperCreateView
    edit_view_class = PaperEditView
    delete_view_class = PaperDeleteView
    list_display = ["action", "count", "collected_where", "collected_on", "recorded_by"]
    list_filter = ["action"]


class PaperSignatureViewSet(ModelViewSet):
    model = PaperSignature
    icon = "doc-full-inverse"
    menu_label = _("Paper signatures")
    copy_view_enabled = False
    add_view_class = PaperCreateView
    edit_view_class = PaperEditView
    delete_view_class = PaperDeleteView
    list_display = ["name", "action", "country", "city", "collected_on", "batch"]
    list_filter = ["action", "batch"]
    search_fields = ["name", "batch"]
    list_per_page = 50


class ExportLogViewSet(ReadOnlyViewSet):
    model = ExportLog
    icon = "download"
    menu_label = _("Signature exports")
    index_view_class = SelectRelatedIndexView
    list_display = ["action", "user", "started_at", "rows", "is_complete"]
    list_filter = ["action"]


# --- solidarity messages and reported actions ----------------------------------------


@require_POST
@requires("petitions.change_solidaritymessage")
def moderate(request, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "reject"):
        raise Http404
    message = get_object_or_404(SolidarityMessage, pk=pk)
    if solidarity.moderate_message(
        message=message, approve=decision == "approve", moderated_by=request.user
    ):
        approved = message.status == SolidarityMessage.Status.APPROVED
        messages.success(
            request, gettext("Message approved.") if approved else gettext("Message rejected.")
        )
    else:
        messages.warning(request, gettext("This message was already moderated."))
    return redirect("solidarity_messages:index")


@requires("petitions.view_solidaritymessage")
def export_messages(request, action_id: int) -> HttpResponse:
    action = get_object_or_404(UrgentAction, pk=action_id)
    language = request.GET.get("language", "")
    content = solidarity.messages_pdf(
        action=action, language=language if language in ("en", "es") else ""
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ua-{action.slug}-messages.pdf"'
    return response


class ModerationColumn(Column):
    """Approve / Reject buttons for a pending message (each a small POST form)."""

    cell_template_name = "petitions/admin/_moderation_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["csrf_token"] = get_token(parent_context["request"])
        context["is_pending"] = instance.status == SolidarityMessage.Status.PENDING
        return context


class SolidarityMessageViewSet(ModelViewSet):
    model = SolidarityMessage
    icon = "openquote"
    menu_label = _("Solidarity messages")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "name",
        "action",
        Column("message", label=_("Message")),
        ModerationColumn("moderation", accessor="get_status_display", label=_("Moderation")),
    ]
    list_filter = ["status", "action"]
    search_fields = ["name", "message"]
    form_fields = ["message"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/<str:decision>/", moderate, name="moderate"),
            path("export/<int:action_id>/", export_messages, name="export"),
        ]


class ReportedActionViewSet(ModelViewSet):
    model = ReportedAction
    icon = "tick"
    menu_label = _("Reported actions")
    copy_view_enabled = False
    create_view_enabled = False
    list_display = ["kind", "action", Column("reported_at", label=_("Reported"))]
    list_filter = ["kind", "action"]
    form_fields = ["kind"]


class PetitionsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Petitions")
    menu_icon = "form"
    menu_order = 160
    items = (
        PetitionViewSet("case_petitions"),
        SignatureViewSet("signatures"),
        PaperTallyViewSet("paper_tallies"),
        PaperSignatureViewSet("paper_signatures"),
        ExportLogViewSet("signature_exports"),
        SolidarityMessageViewSet("solidarity_messages"),
        ReportedActionViewSet("reported_actions"),
    )


@hooks.register("register_admin_viewset")
def register_viewset():
    return PetitionsViewSetGroup()


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("petitions/report/<int:action_id>/", admin_views.report, name="petitions_report"),
        path("petitions/export/<int:action_id>/", admin_views.export, name="petitions_export"),
        path("petitions/paper-import/", admin_views.paper_import, name="petitions_paper_import"),
    ]


class PaperImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("petitions.add_papersignature")


@hooks.register("register_admin_menu_item")
def register_paper_import_menu_item():
    return PaperImportMenuItem(
        _("Import paper signatures"),
        reverse("petitions_paper_import"),
        icon_name="upload",
        order=161,
    )

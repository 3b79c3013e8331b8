"""Admin for letters: sample letters with a preview, delivery policies, the outbox."""

import tempfile

from django.core.files import File
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from campaigns.models import ActionTarget, Supporter, Target, UrgentAction
from campaigns.permissions import RequiresPermissions, WrittenBySitePolicy, requires
from campaigns.private_files import stream_private

from .models import Delivery, DeliveryPolicy, LetterTemplate
from .services import bundles

# The outbox is written by the delivery engine only; people may look.
register_permission_policy(Delivery, WrittenBySitePolicy(Delivery))


class LetterTemplateInspectView(generic.InspectView):
    def get_fields(self):
        return ["case", "language", "subject", "body", "preview"]

    def get_field_label(self, field_name, field):
        if field_name == "preview":
            return _("Preview")
        return super().get_field_label(field_name, field)

    def get_preview_display_value(self):
        template = self.object
        link = (
            ActionTarget.objects.filter(action=template.case, tier=ActionTarget.Tier.PRIMARY)
            .select_related("target")
            .order_by("sort_order")
            .first()
        )
        if link is None:
            return _("Add a primary target to the case to see the letter as it will be sent.")
        # An example supporter, never saved: the preview must not depend on real people.
        supporter = Supporter(name="Ana López", city="Ottawa", country="CA")
        subject, body = template.render(target=link.target, writer=supporter)
        return format_html(
            "<p><strong>{}</strong> {}</p><p><strong>{}</strong> {}</p><pre>{}</pre>",
            _("To:"),
            link.target,
            _("Subject:"),
            subject,
            body,
        )


class LetterTemplateViewSet(ModelViewSet):
    model = LetterTemplate
    icon = "mail"
    menu_label = _("Sample letters")
    inspect_view_enabled = True
    inspect_view_class = LetterTemplateInspectView
    copy_view_enabled = True
    list_display = ["__str__", "language", "subject", Column("updated_at", label=_("Updated"))]
    list_filter = ["language", "case"]
    search_fields = ["subject", "body"]
    panels = LetterTemplate.panels


class DeliveryPolicyViewSet(ModelViewSet):
    model = DeliveryPolicy
    icon = "time"
    menu_label = _("Delivery policies")
    copy_view_enabled = False
    list_display = ["target", "mode", "max_per_hour"]
    list_filter = ["mode"]
    panels = DeliveryPolicy.panels


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("letter__case", "target")


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "mail"
    menu_label = _("Outbox")
    index_view_class = DeliveryIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "__str__",
        "target",
        "status",
        "attempts",
        "is_uncertain",
        Column("next_attempt_at", label=_("Next attempt")),
        Column("sent_at", label=_("Sent")),
    ]
    list_filter = ["status", "target", "is_uncertain", "error_code"]
    inspect_view_fields_exclude = ["has_pace_slot", "enqueued_at"]
    # Required by ModelViewSet, never shown: the permission policy refuses add and change.
    form_fields = ["status"]


class DeliveryCountsView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """Per case and per target: letters by status, uncertain sends and the waiting queue."""

    template_name = "letters/admin/counts.html"
    page_title = _("Letters by target")
    header_icon = "table"

    required_permissions = ("letters.view_delivery",)

    @cached_property
    def case(self) -> UrgentAction | None:
        case_id = self.request.GET.get("case", "")
        if not case_id.isdigit():
            return None
        return UrgentAction.objects.filter(pk=case_id).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = Delivery.objects.all()
        if self.case:
            rows = rows.filter(letter__case=self.case)
        counts = {status: Count("pk", filter=Q(status=status)) for status in Delivery.Status.values}
        context["rows"] = (
            rows.values("letter__case__number", "target__name", "target__title")
            .annotate(total=Count("pk"), uncertain=Count("pk", filter=Q(is_uncertain=True)))
            .annotate(**counts)
            .order_by("letter__case__number", "target__name")
        )
        context["statuses"] = Delivery.Status.choices
        context["cases"] = UrgentAction.objects.filter(letters__isnull=False).distinct()
        context["case"] = self.case
        return context


class DeliveryCountsViewSet(ViewSet):
    icon = "table"
    menu_label = _("Letters by target")
    url_prefix = "letters/counts"

    def get_urlpatterns(self):
        return [path("", DeliveryCountsView.as_view(), name="index")]

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))


class BundlesView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """Letters waiting to be printed, and the bundles prepared but not yet posted."""

    template_name = "letters/admin/bundles.html"
    page_title = _("Printed bundles")
    header_icon = "doc-full"

    required_permissions = ("letters.view_delivery",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["waiting"] = bundles.waiting_for_bundles()
        context["bundles"] = bundles.open_bundles()
        context["can_change"] = self.request.user.has_perm("letters.change_delivery")
        return context


@requires("letters.view_delivery")
def bundle_pdf(request, key: str):
    """The bundle as a PDF, spooled to a temporary file (never stored) and streamed from
    it; logged as a download of the target's letters."""
    delivery = bundles.bundle_deliveries(key).select_related("target").first()
    if delivery is None:
        raise Http404(_("No such bundle, or it has been posted."))
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- the response closes it
    bundles.write_bundle_pdf(key=key, out=out)
    return stream_private(
        request,
        file=File(out),
        filename=f"{key}.pdf",
        content_type="application/pdf",
        what=delivery.target,
        kind="bundle",
    )


@require_POST
@requires("letters.change_delivery")
def prepare_bundle(request, target_id: int):
    target = get_object_or_404(Target, pk=target_id)
    key, count = bundles.prepare_bundle(target=target)
    if count:
        messages.success(
            request, _("Bundle of %(count)d letters ready to print.") % {"count": count}
        )
    else:
        messages.warning(request, _("No letters are waiting for %(target)s.") % {"target": target})
    return redirect("letter_bundles:index")


@require_POST
@requires("letters.change_delivery")
def record_bundle_posted(request, key: str):
    moved = bundles.record_bundle_posted(key=key)
    if moved:
        messages.success(request, _("%(count)d letters recorded as posted.") % {"count": moved})
    else:
        messages.warning(request, _("This bundle was already recorded as posted."))
    return redirect("letter_bundles:index")


@require_POST
@requires("letters.change_delivery")
def return_bundle(request, key: str):
    returned = bundles.return_bundle(key=key)
    messages.success(request, _("%(count)d letters put back in the queue.") % {"count": returned})
    return redirect("letter_bundles:index")


class BundlesViewSet(ViewSet):
    icon = "doc-full"
    menu_label = _("Printed bundles")
    url_prefix = "letters/bundles"

    def get_urlpatterns(self):
        return [
            path("", BundlesView.as_view(), name="index"),
            path("prepare/<int:target_id>/", prepare_bundle, name="prepare"),
            path("<str:key>/pdf/", bundle_pdf, name="pdf"),
            path("<str:key>/posted/", record_bundle_posted, name="posted"),
            path("<str:key>/return/", return_bundle, name="return"),
        ]

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index"))


class LettersViewSetGroup(ViewSetGroup):
    menu_label = _("Letters")
    menu_icon = "mail"
    menu_order = 170
    items = (
        LetterTemplateViewSet("letter_templates"),
        DeliveryViewSet("deliveries"),
        DeliveryCountsViewSet("letter_counts"),
        DeliveryPolicyViewSet("delivery_policies"),
        BundlesViewSet("letter_bundles"),
    )


@hooks.register("register_admin_viewset")
def register_viewset():
    return LettersViewSetGroup()

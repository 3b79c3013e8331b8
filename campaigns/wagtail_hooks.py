"""Admin for cases, the target directory and follow-ups; the stop button's pages
(campaigns.admin_views) hang off the case's and the official's own; the log of private
file downloads (under Reports); the read-only viewset other apps' logs use."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter, log
from wagtail.permissions import register_permission_policy

from . import admin_views, defences, services
from .forms import FollowUpForm, TargetForm, UrgentActionForm
from .models import BlockedEmailDomain, Download, FollowUp, Target, UrgentAction
from .permissions import WrittenBySitePolicy

# Written only by campaigns.private_files: nobody adds, edits or deletes a download.
register_permission_policy(Download, WrittenBySitePolicy(Download))

# Set only by the hold services (campaigns.holds); an edit saved meanwhile keeps them.
HOLD_FIELDS = ["held_at", "held_by_id", "hold_reason"]


class ServiceSaveMixin:
    """Save through a service instead of Wagtail's create/edit action.

    A ValidationError from the service becomes a message on the re-rendered form (the
    view's transaction has already undone the partial save), never a 500.
    """

    log_action = "wagtail.edit"

    def save_through_service(self, instance):
        raise NotImplementedError

    def save_instance(self):
        # save(commit=False) puts the inline panels' rows on the instance in memory;
        # the service's instance.save() then writes them with it.
        instance = self.save_through_service(self.form.save(commit=False))
        log(instance=instance, action=self.log_action, user=self.request.user)
        return instance

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)


class ProtectedDeleteView(generic.DeleteView):
    """Refuse, with a message and a 409, to delete what other records still need.

    Wagtail alone would answer a protected object with a bare "permission denied" (when
    its reference index knows the use) or a 500 (when it does not).
    """

    def protected_by(self) -> list[Model]:
        collector = Collector(using=router.db_for_write(self.model))
        try:
            collector.collect([self.object])
        except ProtectedError as error:
            return list(error.protected_objects)
        except RestrictedError as error:
            return list(error.restricted_objects)
        return []

    def refuse(self, protected):
        # A case target protects its target: name the case, not the link.
        users = sorted({str(getattr(obj, "action", obj)) for obj in protected})
        messages.error(
            self.request,
            gettext("“%(object)s” cannot be deleted while it is used by: %(users)s.")
            % {"object": self.object, "users": "; ".join(users[:5])},
        )
        return self.render_to_response(self.get_context_data(), status=409)

    def form_valid(self, form):
        if protected := self.protected_by():
            return self.refuse(protected)
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError as error:  # a use added since the check above
            return self.refuse(error.protected_objects)


class UrgentActionCreateView(ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"

    def save_through_service(self, instance):
        return services.save_action(action=instance, previous=None, by=self.request.user)


def _hold_label(instance):
    return _("Sending: held") if instance.held_at else _("Sending")


class HoldButtonMixin:
    """A "Sending" button to the stop button's page (campaigns.admin_views), for those
    allowed to use it: in the edit or inspect view's header, and in each row of the
    listing."""

    hold_url_name = ""
    hold_permission = ""

    def hold_url(self, instance):
        if not self.request.user.has_perm(self.hold_permission):
            return ""
        return reverse(self.hold_url_name, args=[instance.pk])

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        # An edit or inspect view's header; a listing has no object of its own.
        instance = getattr(self, "object", None)
        if instance is not None and (url := self.hold_url(instance)):
            buttons.append(Button(_hold_label(instance), url=url, icon_name="lock", priority=15))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if url := self.hold_url(instance):
            buttons.append(MenuItem(_hold_label(instance), url=url, icon_name="lock", priority=25))
        return buttons


# Pages a higher app keeps about a case (actions: its trending sources) add a button to
# the case's admin through this Wagtail hook, registered at start-up, as the privacy
# providers are: campaigns names no view of theirs. Each hook takes (user, case) and
# returns (label, url, icon) for the buttons that user may follow.
CASE_BUTTONS_HOOK = "pluma_case_admin_buttons"


class CaseButtonsMixin:
    """The buttons other apps register for a case (CASE_BUTTONS_HOOK): in the edit or
    inspect view's header, and in each row of the listing."""

    def case_buttons(self, instance):
        return [
            button
            for hook in hooks.get_hooks(CASE_BUTTONS_HOOK)
            for button in hook(self.request.user, instance)
        ]

    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        instance = getattr(self, "object", None)
        if instance is not None:
            for label, url, icon in self.case_buttons(instance):
                buttons.append(Button(label, url=url, icon_name=icon, priority=20))
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for label, url, icon in self.case_buttons(instance):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=30))
        return buttons


class UrgentActionIndexView(CaseButtonsMixin, HoldButtonMixin, generic.IndexView):
    hold_url_name = "urgent_actions:hold"
    hold_permission = admin_views.HOLD_CASE


class UrgentActionInspectView(CaseButtonsMixin, HoldButtonMixin, generic.InspectView):
    # Organizers read cases without editing them: the button is in the inspect view too.
    hold_url_name = "urgent_actions:hold"
    hold_permission = admin_views.HOLD_CASE


class UrgentActionEditView(CaseButtonsMixin, HoldButtonMixin, ServiceSaveMixin, generic.EditView):
    hold_url_name = "urgent_actions:hold"
    hold_permission = admin_views.HOLD_CASE

    def save_through_service(self, instance):
        return services.save_action(
            action=instance,
            previous=UrgentAction.objects.select_for_update().get(pk=instance.pk),
            by=self.request.user,
            reason=self.form.cleaned_data.get("deadline_reason", ""),
        )


class UrgentActionViewSet(ModelViewSet):
    model = UrgentAction
    icon = "warning"
    menu_label = _("Urgent actions")
    index_view_class = UrgentActionIndexView
    add_view_class = UrgentActionCreateView
    edit_view_class = UrgentActionEditView
    inspect_view_class = UrgentActionInspectView
    delete_view_class = ProtectedDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["number", "title", "category", "country", "status", "deadline"]
    list_filter = ["status", "category", "country"]
    search_fields = ["number", "title"]
    edit_handler = ObjectList(
        [*UrgentAction.panels[:4], FieldPanel("deadline_reason"), *UrgentAction.panels[4:]],
        base_form_class=UrgentActionForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/sending/", admin_views.CaseHoldView.as_view(), name="hold"),
            path("<int:pk>/sending/hold/", admin_views.hold_case, name="hold_case"),
            path("<int:pk>/sending/resume/", admin_views.resume_case, name="resume_case"),
            path("<int:pk>/sending/send/", admin_views.send_held, name="send_held"),
            path("<int:pk>/sending/drop/", admin_views.DropHeldView.as_view(), name="drop_held"),
        ]


class TargetIndexView(HoldButtonMixin, generic.IndexView):
    hold_url_name = "targets:hold"
    hold_permission = admin_views.HOLD_OFFICIAL


class TargetEditView(HoldButtonMixin, generic.EditView):
    hold_url_name = "targets:hold"
    hold_permission = admin_views.HOLD_OFFICIAL

    def save_instance(self):
        # The form's copy of the official was read before a hold placed since: keep the hold.
        with transaction.atomic():
            stored = Target.objects.select_for_update().get(pk=self.object.pk)
            for field in HOLD_FIELDS:
                setattr(self.form.instance, field, getattr(stored, field))
            return super().save_instance()


class TargetViewSet(ModelViewSet):
    model = Target
    icon = "user"
    menu_label = _("Target directory")
    index_view_class = TargetIndexView
    edit_view_class = TargetEditView
    list_display = ["name", "title", "organisation", "country", "kind", "language"]
    list_filter = ["kind", "country", "language", "is_active"]
    search_fields = ["name", "title", "organisation"]
    copy_view_enabled = True
    delete_view_class = ProtectedDeleteView
    edit_handler = ObjectList(Target.panels, base_form_class=TargetForm)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/sending/", admin_views.OfficialHoldView.as_view(), name="hold"),
            path("<int:pk>/sending/hold/", admin_views.hold_official, name="hold_official"),
            path("<int:pk>/sending/resume/", admin_views.resume_official, name="resume_official"),
        ]


class FollowUpIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Each row's title names its case.
        return super().get_base_queryset().select_related("action")


class FollowUpCreateView(ServiceSaveMixin, generic.CreateView):
    log_action = "wagtail.create"

    def save_through_service(self, instance):
        return services.publish_follow_up(follow_up=instance, by=self.request.user)


class FollowUpEditView(ServiceSaveMixin, generic.EditView):
    def save_through_service(self, instance):
        return services.publish_follow_up(follow_up=instance, by=self.request.user)


class FollowUpViewSet(ModelViewSet):
    model = FollowUp
    icon = "doc-full"
    menu_label = _("Follow-ups")
    index_view_class = FollowUpIndexView
    add_view_class = FollowUpCreateView
    edit_view_class = FollowUpEditView
    copy_view_enabled = False
    list_display = ["__str__", Column("issued_on", label=_("Date")), "new_deadline"]
    list_filter = ["action"]
    edit_handler = ObjectList(FollowUp.panels, base_form_class=FollowUpForm)


class BlocklistCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        defences.forget_blocked_domains()
        return instance


class BlocklistEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        defences.forget_blocked_domains()
        return instance


class BlocklistDeleteView(generic.DeleteView):
    def delete_action(self):
        super().delete_action()
        defences.forget_blocked_domains()


class BlockedEmailDomainViewSet(ModelViewSet):
    model = BlockedEmailDomain
    icon = "warning"
    menu_label = _("Blocked email domains")
    copy_view_enabled = False
    add_view_class = BlocklistCreateView
    edit_view_class = BlocklistEditView
    delete_view_class = BlocklistDeleteView
    form_fields = ["domain", "reason"]
    list_display = ["domain", "reason", "created_at"]
    search_fields = ["domain"]


class CasesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Cases")
    menu_icon = "warning"
    menu_order = 150
    items = (
        UrgentActionViewSet("urgent_actions"),
        FollowUpViewSet("follow_ups"),
        TargetViewSet("targets"),
        # Read by every public form's defences (campaigns/defences.py).
        BlockedEmailDomainViewSet("blocked_email_domains"),
    )


@hooks.register("register_admin_viewset")
def register_viewset():
    return CasesViewSetGroup()


# --- read-only records ----------------------------------------------------------------


class ReadOnlyViewSet(ModelViewSet):
    """A listing and a detail page, with no add, edit or delete routes at all."""

    copy_view_enabled = False
    inspect_view_enabled = True
    # Required by ModelViewSet, though no form is ever shown.
    exclude_form_fields: list[str] = []

    def get_urlpatterns(self):
        keep = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]


class DownloadIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "content_type")


class DownloadViewSet(ReadOnlyViewSet):
    """Who downloaded which pack, attachment or upload: superusers, and whoever was given
    the view permission on downloads, may look."""

    model = Download
    icon = "download"
    menu_label = _("Private file downloads")
    index_view_class = DownloadIndexView
    list_display = [
        Column("downloaded_at", label=_("Downloaded")),
        "user",
        "label",
        "kind",
        "filename",
        Column("size", label=_("Bytes")),
    ]
    list_filter = ["kind", "user"]
    inspect_view_fields = [
        "downloaded_at",
        "user",
        "content_type",
        "object_id",
        "label",
        "kind",
        "filename",
        "size",
    ]
    list_per_page = 50


downloads = DownloadViewSet("private_downloads")


@hooks.register("register_admin_viewset")
def register_downloads():
    return downloads


@hooks.register("register_reports_menu_item")
def register_downloads_report():
    return downloads.get_menu_item()


class HoldLogFormatter(LogFormatter):
    """A hold's entry in the history: what it did, and the organizer's reason as comment."""

    def format_comment(self, log_entry):
        return log_entry.data.get("reason", "")


@hooks.register("register_log_actions")
def register_hold_log_actions(actions):
    for action, label, message in admin_views.LOG_ACTIONS:
        formatter = type(
            "HoldLogFormatter", (HoldLogFormatter,), {"label": label, "message": message}
        )
        actions.register_action(action)(formatter)

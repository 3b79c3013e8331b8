"""Admin for cases, the target directory and follow-ups."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import services
from .forms import UrgentActionForm
from .models import FollowUp, Target, UrgentAction


class UrgentActionCreateView(generic.CreateView):
    def save_instance(self):
        return services.save_action(action=self.form.instance, previous=None, by=self.request.user)


class UrgentActionEditView(generic.EditView):
    def save_instance(self):
        previous = UrgentAction.objects.get(pk=self.form.instance.pk)
        return services.save_action(
            action=self.form.instance,
            previous=previous,
            by=self.request.user,
            reason=self.form.cleaned_data.get("deadline_reason", ""),
        )


class UrgentActionViewSet(ModelViewSet):
    model = UrgentAction
    icon = "warning"
    menu_label = _("Urgent actions")
    add_view_class = UrgentActionCreateView
    edit_view_class = UrgentActionEditView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["number", "title", "category", "country", "status", "deadline"]
    list_filter = ["status", "category", "country"]
    search_fields = ["number", "title"]
    edit_handler = ObjectList(
        [*UrgentAction.panels[:4], FieldPanel("deadline_reason"), *UrgentAction.panels[4:]],
        base_form_class=UrgentActionForm,
    )


class TargetViewSet(ModelViewSet):
    model = Target
    icon = "user"
    menu_label = _("Target directory")
    list_display = ["name", "title", "organisation", "country", "kind", "language"]
    list_filter = ["kind", "country", "language", "is_active"]
    search_fields = ["name", "title", "organisation"]
    copy_view_enabled = True


class FollowUpCreateView(generic.CreateView):
    def save_instance(self):
        follow_up = services.publish_follow_up(follow_up=self.form.instance, by=self.request.user)
        return follow_up


class FollowUpEditView(generic.EditView):
    def save_instance(self):
        return services.publish_follow_up(follow_up=self.form.instance, by=self.request.user)


class FollowUpViewSet(ModelViewSet):
    model = FollowUp
    icon = "doc-full"
    menu_label = _("Follow-ups")
    add_view_class = FollowUpCreateView
    edit_view_class = FollowUpEditView
    copy_view_enabled = False
    list_display = ["__str__", Column("issued_on", label=_("Date")), "new_deadline"]
    list_filter = ["action"]


class CasesViewSetGroup(ModelViewSetGroup):
    menu_label = _("Cases")
    menu_icon = "warning"
    menu_order = 150
    items = (
        UrgentActionViewSet("urgent_actions"),
        FollowUpViewSet("follow_ups"),
        TargetViewSet("targets"),
    )


@hooks.register("register_admin_viewset")
def register_viewset():
    return CasesViewSetGroup()

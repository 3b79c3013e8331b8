"""Admin for site pages: a chooser so editors pick a case by number or title."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.chooser import ChooserViewSet


class UrgentActionChooserViewSet(ChooserViewSet):
    # Registering the widget makes ActionPage's FieldPanel("action") use this chooser.
    model = "campaigns.UrgentAction"
    icon = "warning"
    choose_one_text = _("Choose an urgent action")
    choose_another_text = _("Choose another urgent action")
    edit_item_text = _("Edit this urgent action")


@hooks.register("register_admin_viewset")
def register_urgent_action_chooser():
    return UrgentActionChooserViewSet("urgent_action_chooser")

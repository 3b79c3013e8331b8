"""Admin for site pages: a chooser so editors pick a case by number or title; and the
stylesheet of Pluma's own admin views."""

from django.templatetags.static import static
from django.utils.html import format_html
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


@hooks.register("insert_global_admin_css")
def admin_stylesheet():
    # The admin's Content-Security-Policy takes no inline styles: the dashboards' and
    # inspect views' few rules live in one file.
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))

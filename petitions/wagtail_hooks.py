"""Admin for petitions: editors set up each case's petition (fields, goal, text)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import counts
from .models import Petition


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
    ]
    search_fields = ["action__number", "action__title"]


class PetitionsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Petitions")
    menu_icon = "form"
    menu_order = 160
    items = (PetitionViewSet("case_petitions"),)


@hooks.register("register_admin_viewset")
def register_viewset():
    return PetitionsViewSetGroup()

"""Admin for actions: the per-case dashboards, listed first in the Handovers menu; each
case's sources (actions.admin_views), with a button on the case's own admin pages; the
history entries of invalidations."""

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.log_actions import LogActionRegistry, LogFormatter

from campaigns.models import UrgentAction
from campaigns.wagtail_hooks import CASE_BUTTONS_HOOK
from handovers.wagtail_hooks import MENU_HOOK

from . import admin_views
from .dashboard import DashboardViewSet


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_viewset() -> DashboardViewSet:
    return DashboardViewSet("case_dashboard", menu_hook=MENU_HOOK, menu_order=0)


class InvalidationLogFormatter(LogFormatter):
    """An invalidation's entry in the case's history: the organizer's reason as comment."""

    def format_comment(self, log_entry: Any) -> str:
        return str(log_entry.data.get("reason", ""))


@hooks.register("register_log_actions")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_invalidation_log_actions(actions: LogActionRegistry) -> None:
    for action, label, message in admin_views.LOG_ACTIONS:
        formatter = type(
            "InvalidationLogFormatter",
            (InvalidationLogFormatter,),
            {"label": label, "message": message},
        )
        actions.register_action(action)(formatter)


@hooks.register(CASE_BUTTONS_HOOK)  # type: ignore[untyped-decorator]  # Wagtail is untyped
def sources_button(user: User | AnonymousUser, action: UrgentAction) -> list[tuple[str, str, str]]:
    """Organizers reach a case's sources from the case itself, as well as its dashboard."""
    if not user.has_perm(admin_views.SEE_SOURCES):
        return []
    return [(_("Sources"), admin_views.sources_url(action.pk), "warning")]

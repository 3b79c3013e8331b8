"""Admin for actions: the per-case dashboards, listed first in the Handovers menu, with each
case's sources (actions.admin_views); the history entries of invalidations."""

from typing import Any

from wagtail import hooks
from wagtail.log_actions import LogActionRegistry, LogFormatter

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

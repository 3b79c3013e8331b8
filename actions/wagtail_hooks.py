"""Admin for actions: the per-case dashboards, listed first in the Handovers menu."""

from wagtail import hooks

from handovers.wagtail_hooks import MENU_HOOK

from .dashboard import DashboardViewSet


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_viewset() -> DashboardViewSet:
    return DashboardViewSet("case_dashboard", menu_hook=MENU_HOOK, menu_order=0)

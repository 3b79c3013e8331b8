"""Admin for webhooks: the organisation's endpoints (made, edited, the secret shown once and
rotated, switched back on) and the delivery log, per endpoint, with the last answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from campaigns.permissions import RequiresPermissions, WrittenBySitePolicy, forbidden, requires

from . import services
from .forms import EndpointForm
from .models import Endpoint, WebhookDelivery

# The log is written by the sending only; people may look.
register_permission_policy(WebhookDelivery, WrittenBySitePolicy(WebhookDelivery))

ADD = "webhooks.add_endpoint"
CHANGE = "webhooks.change_endpoint"
SEND_TEXTS = "webhooks.send_texts_endpoint"


def _session_key(pk: int) -> str:
    return f"webhooks:secret:{pk}"


def _show_secret_once(request: HttpRequest, endpoint: Endpoint, secret: str) -> None:
    # In the server-side session, never a message (which may live in a cookie) or a URL.
    request.session[_session_key(endpoint.pk)] = secret


def _log_url(endpoint: Endpoint) -> str:
    return reverse("webhook_deliveries:index") + f"?endpoint={endpoint.pk}"


# --- endpoints ---------------------------------------------------------------------------


class EndpointCreateView(generic.CreateView):
    def save_instance(self) -> Endpoint:
        data = self.form.cleaned_data
        endpoint, secret = services.create_endpoint(
            name=data["name"],
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
            # Without the permission the field is not on the form: no texts.
            has_texts=data.get("has_texts", False),
            by=self.request.user,
        )
        _show_secret_once(self.request, endpoint, secret)
        return endpoint

    def get_success_url(self) -> str:
        return reverse("webhook_endpoints:secret", args=[self.object.pk])

    def get_success_message(self, instance: Endpoint) -> str:
        return _("Endpoint “%(name)s” made. Copy its secret now: it is shown once.") % {
            "name": instance.name
        }


class EndpointEditView(generic.EditView):
    def save_instance(self) -> Endpoint:
        data = self.form.cleaned_data
        return services.update_endpoint(
            endpoint=self.object,
            name=data["name"],
            url=data["url"],
            events=data["events"],
            is_active=data["is_active"],
            # Without the permission the field is not on the form: texts stay as they are.
            has_texts=data.get("has_texts", self.object.has_texts),
            by=self.request.user,
        )


class EndpointSecretView(WagtailAdminTemplateMixin, TemplateView):
    """The secret, once: read from the session and forgotten in the same request. For
    whoever may make endpoints (the secret of a new one) or edit them (a rotation)."""

    template_name = "webhooks/admin/secret.html"
    header_icon = "key"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (request.user.has_perm(ADD) or request.user.has_perm(CHANGE)):
            return forbidden()
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def endpoint(self) -> Endpoint:
        endpoint: Endpoint = get_object_or_404(Endpoint, pk=self.kwargs["pk"])
        return endpoint

    def get_page_title(self) -> str:
        return _("Secret of “%(name)s”") % {"name": self.endpoint.name}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            endpoint=self.endpoint,
            secret=self.request.session.pop(_session_key(self.endpoint.pk), None),
            back_url=reverse("webhook_endpoints:edit", args=[self.endpoint.pk]),
            rotate_url=reverse("webhook_endpoints:rotate", args=[self.endpoint.pk]),
        )
        return context


class EndpointRotateView(RequiresPermissions, WagtailAdminTemplateMixin, TemplateView):
    """Asks first; the POST (rotate_secret) makes the new secret."""

    template_name = "webhooks/admin/rotate.html"
    header_icon = "key"
    required_permissions = (CHANGE,)

    def get_page_title(self) -> str:
        return _("New secret")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        endpoint = get_object_or_404(Endpoint, pk=self.kwargs["pk"])
        context.update(
            endpoint=endpoint,
            hours=int(services.endpoints.ROTATION_GRACE.total_seconds() // 3600),
            back_url=reverse("webhook_endpoints:edit", args=[endpoint.pk]),
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return rotate_secret(request, pk)


@require_POST
@requires(CHANGE)
def rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, pk=pk)
    secret = services.rotate_secret(endpoint=endpoint)
    _show_secret_once(request, endpoint, secret)
    messages.success(request, _("New secret made. Copy it now: it is shown once."))
    return HttpResponseRedirect(reverse("webhook_endpoints:secret", args=[pk]))


class StateColumn(Column):
    def get_value(self, instance: Endpoint) -> str:
        if instance.is_active:
            if instance.failing_since:
                return _("On, failing since %(when)s") % {
                    "when": date_format(instance.failing_since, "SHORT_DATETIME_FORMAT")
                }
            return _("On")
        return _("Off: %(why)s") % {"why": instance.disabled_reason or "—"}


class LogColumn(Column):
    def get_value(self, instance: Endpoint) -> str:
        return format_html('<a href="{}">{}</a>', _log_url(instance), _("Delivery log"))


class EndpointViewSet(ModelViewSet):
    model = Endpoint
    icon = "link-external"
    menu_label = gettext_lazy("Endpoints")
    copy_view_enabled = False
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    list_display = [
        "name",
        "url",
        StateColumn("state", label=gettext_lazy("State")),
        Column("last_success_at", label=gettext_lazy("Last success")),
        LogColumn("log", label=gettext_lazy("Log")),
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("url"),
            FieldPanel("events"),
            FieldPanel("is_active"),
            # Without the permission the box is not on the form at all.
            FieldPanel("has_texts", permission=SEND_TEXTS),
        ],
        base_form_class=EndpointForm,
    )

    def get_urlpatterns(self) -> list[URLPattern | URLResolver]:
        patterns: list[URLPattern | URLResolver] = super().get_urlpatterns()  # Wagtail: untyped
        return patterns + [
            path("<int:pk>/secret/", EndpointSecretView.as_view(), name="secret"),
            path("<int:pk>/rotate/", EndpointRotateView.as_view(), name="rotate"),
        ]


# --- the delivery log --------------------------------------------------------------------


class DeliveryIndexView(generic.IndexView):
    def get_base_queryset(self) -> Any:
        return super().get_base_queryset().select_related("endpoint")


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = gettext_lazy("Delivery log")
    index_view_class = DeliveryIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("event_id", label=gettext_lazy("Event")),
        "kind",
        "endpoint",
        "status",
        "attempts",
        Column("last_status_code", label=gettext_lazy("HTTP status")),
        Column("last_duration_ms", label=gettext_lazy("Took (ms)")),
        Column("last_attempt_at", label=gettext_lazy("Last attempt")),
        Column("next_attempt_at", label=gettext_lazy("Next attempt")),
    ]
    list_filter = ["endpoint", "status", "kind"]
    inspect_view_fields = [
        "endpoint",
        "kind",
        "event",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "last_status_code",
        "last_duration_ms",
        "last_response",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "failed_at",
    ]
    # Required by ModelViewSet, never shown: the permission policy refuses add and change.
    form_fields = ["status"]


class WebhooksViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Webhooks")
    menu_icon = "link-external"
    menu_order = 170
    items = (
        EndpointViewSet("webhook_endpoints", url_prefix="webhooks/endpoints"),
        WebhookDeliveryViewSet("webhook_deliveries", url_prefix="webhooks/deliveries"),
    )


@hooks.register("register_admin_viewset")  # type: ignore[untyped-decorator]  # Wagtail is untyped
def register_viewset() -> WebhooksViewSetGroup:
    return WebhooksViewSetGroup()

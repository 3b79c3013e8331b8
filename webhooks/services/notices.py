"""Telling organizers that an endpoint was switched off (services.sending)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.db.models import Q
from django.urls import reverse

from campaigns.mail import absolute, mask_email, send_template

from ..models import Endpoint

logger = logging.getLogger(__name__)


def organizers_of(endpoint: Endpoint) -> list[User]:
    """Who hears of it: whoever made the endpoint, and everyone who may edit endpoints
    (by their own permission, a group's, or as a superuser), with an address."""
    may_edit = Permission.objects.filter(
        content_type__app_label="webhooks", codename="change_endpoint"
    )
    users = User.objects.filter(is_active=True).exclude(email="")
    found = users.filter(
        Q(pk=endpoint.created_by_id)
        | Q(is_superuser=True)
        | Q(user_permissions__in=may_edit)
        | Q(groups__permissions__in=may_edit)
    ).distinct()
    return list(found.order_by("pk"))


def tell_organizers_endpoint_off(*, endpoint_id: int) -> int:
    """Email each organizer once that the endpoint is off, why, and where to switch it
    back on; returns how many were emailed. Nothing if it was switched on meanwhile."""
    endpoint = Endpoint.objects.filter(pk=endpoint_id, is_active=False).first()
    if endpoint is None:
        return 0
    link = absolute(reverse("webhook_endpoints:edit", args=[endpoint.pk]))
    log = absolute(reverse("webhook_deliveries:index")) + f"?endpoint={endpoint.pk}"
    told = 0
    for user in organizers_of(endpoint):
        send_template(
            template="webhooks/email/endpoint_off",
            to=user.email,
            language=settings.LANGUAGE_CODE,
            context={"endpoint": endpoint, "edit_url": link, "log_url": log},
        )
        logger.info("Told %s that endpoint %s is off", mask_email(user.email), endpoint.pk)
        told += 1
    return told

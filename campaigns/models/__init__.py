"""Campaigns' models, by topic; import them from here (``campaigns.models.X``)."""

from .announcements import Announcement, AnnouncementDelivery
from .cases import (
    ActionTarget,
    Category,
    DeadlineExtension,
    FollowUp,
    FollowUpText,
    UrgentAction,
    UrgentActionQuerySet,
    in_listing_order,
    ua_number_validator,
)
from .defences import BlockedEmailDomain
from .downloads import Download
from .events import Event
from .requests import EmailRequest
from .sources import Invalidation, SourceKind, TrendingSource
from .supporters import Consent, Subscription, SubscriptionQuerySet, Supporter
from .targets import LANGUAGE_CHOICES, Target, TargetQuerySet

__all__ = [
    "LANGUAGE_CHOICES",
    "ActionTarget",
    "Announcement",
    "AnnouncementDelivery",
    "BlockedEmailDomain",
    "Category",
    "Consent",
    "DeadlineExtension",
    "Download",
    "EmailRequest",
    "Event",
    "FollowUp",
    "FollowUpText",
    "Invalidation",
    "SourceKind",
    "Subscription",
    "SubscriptionQuerySet",
    "Supporter",
    "Target",
    "TargetQuerySet",
    "TrendingSource",
    "UrgentAction",
    "UrgentActionQuerySet",
    "in_listing_order",
    "ua_number_validator",
]

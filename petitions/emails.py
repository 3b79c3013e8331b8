"""One person, one address. The rule lives in campaigns (letters need it too); kept here so
existing imports keep working."""

from campaigns.emails import GMAIL_DOMAINS, canonical_email

__all__ = ["GMAIL_DOMAINS", "canonical_email"]

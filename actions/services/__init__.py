"""What needs several apps at once, by what it does: writing a letter that also signs and
confirming both (writing); trending sources, and invalidating a source's sign-ups and
letters on a case and reversing it (sources)."""

from .sources import alert_trending_sources, invalidate_source, reverse_invalidation
from .writing import confirm_letters, offers_signing, write_letter

__all__ = [
    "alert_trending_sources",
    "confirm_letters",
    "invalidate_source",
    "offers_signing",
    "reverse_invalidation",
    "write_letter",
]

"""What the public forms' defences read (campaigns/defences.py)."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockedEmailDomain(models.Model):
    """Sign-ups from these domains (and their subdomains) are accepted but flagged."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("For example mailinator.com; its subdomains are blocked too."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        # The table of the release before the defences moved here from petitions.
        db_table = "petitions_blockedemaildomain"
        verbose_name = _("blocked email domain")
        verbose_name_plural = _("blocked email domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = self.domain.strip().lower().lstrip("@").rstrip(".")
        super().save(*args, **kwargs)

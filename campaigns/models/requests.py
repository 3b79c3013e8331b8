"""Emails a public form asked for, waiting for a worker to look the address up
(campaigns/email_requests.py)."""

from django.db import models

from .cases import UrgentAction


class EmailRequest(models.Model):
    """ "Send me a new link", "send me my data": one row a post, whatever the address.

    The typed address is kept only until a worker answers the request, seconds later;
    the row is then deleted.
    """

    # Wagtail's reference index would record every row; nothing here is content.
    wagtail_reference_index_ignore = True

    kind = models.CharField(max_length=40)
    email = models.EmailField(max_length=254)
    case = models.ForeignKey(UrgentAction, on_delete=models.CASCADE, null=True, blank=True)
    language = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a dispatch last handed it to a worker (campaigns.outbox).
    handed_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "email request"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

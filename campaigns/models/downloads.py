"""Who downloaded which private file: the log campaigns.private_files writes."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Download(models.Model):
    """One download of a private file (a pack, a reply attachment, an uploaded postal
    reply, a printed bundle): who, when, of which object, which of its files, how big.

    Written only by campaigns.private_files.stream_private, once per download; never
    changed. The object is named by content type and id, as campaigns may not import the
    apps whose files these are; ``label`` keeps what it was called at the time.
    """

    # Not content: Wagtail's reference index would add a query and rows per download.
    wagtail_reference_index_ignore = True

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    downloaded_at = models.DateTimeField(_("downloaded at"), default=timezone.now)
    # PROTECT: a log of who took supporters' data must not vanish with a content type.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    object_id = models.PositiveBigIntegerField(_("object id"))
    what = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("what"), max_length=200)
    kind = models.CharField(
        _("file"), max_length=20, help_text=_("Which of its files: pdf, csv, attachment…")
    )
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("bytes"))

    class Meta:
        verbose_name = _("private file download")
        verbose_name_plural = _("private file downloads")
        ordering = ["-downloaded_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="download_object")]

    def __str__(self) -> str:
        return f"{self.filename} by {self.user} at {self.downloaded_at:%Y-%m-%d %H:%M}"

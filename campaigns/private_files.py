"""Private files: the storage for files that hold supporters' data, and the one way out.

Delivery packs (names of signers), reply attachments and uploaded photos of postal replies
live in ``STORAGES["private"]`` (PRIVATE_MEDIA_ROOT), never in the default storage: an
operator serves MEDIA_ROOT for case images, and anything there answers to anyone who
knows its address. The private storage has no URL at all (``url()`` refuses). Its files
reach people only through admin views that check a permission and return
``stream_private``, which logs the download (campaigns.models.Download) and answers with
an attachment no cache keeps.

Models use it as ``FileField(storage=private_storage)``: the callable is what migrations
record, and the object it returns looks up ``storages["private"]`` afresh whenever the
STORAGES setting changes (tests point it at a temporary folder).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpRequest
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from .models import Download

__all__ = [
    "PrivateFileSystemStorage",
    "WithoutURL",
    "move_files",
    "private_storage",
    "stored_under",
    "stream_private",
]


class WithoutURL:
    """A storage whose files have no URL, not even a signed one: they are only ever
    streamed by a view (the object storage's private bucket, config/object_storage.py,
    is one too)."""

    def url(self, name: str | None, *args: object, **kwargs: object) -> str:
        raise ValueError(
            "Private files have no URL; stream them with campaigns.private_files.stream_private."
        )


@deconstructible(path="campaigns.private_files.PrivateFileSystemStorage")
class PrivateFileSystemStorage(WithoutURL, FileSystemStorage):
    """A folder on disk whose files have no URL: they are only ever streamed by a view."""


if TYPE_CHECKING:
    _LazyStorage = LazyObject[Storage]  # generic to django-stubs only
else:
    _LazyStorage = LazyObject


class _PrivateStorage(_LazyStorage):
    _wrapped: Storage | object  # the storage, or `empty` until first used

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting: str, **kwargs: Any) -> None:
    # Django forgets its own storages on this signal (django.test.signals); this one too.
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """The private storage, for ``FileField(storage=private_storage)`` and for code that
    reads or writes private files by name."""
    return cast(Storage, _private)


def stream_private(
    request: HttpRequest,
    *,
    file: File[bytes],
    filename: str,
    content_type: str,
    what: models.Model,
    kind: str,
) -> FileResponse:
    """A private file as a download, logged: one Download row (who, what, which file,
    how many bytes) per call. The caller has checked the permission.

    ``file`` is a file field's file or an open file (a bundle spooled to a temporary
    file). A file that is gone from the storage is a 404, and is not logged.
    """
    try:
        handle = file.open("rb")
        size = file.size
    except FileNotFoundError:
        raise Http404(_("This file is no longer stored.")) from None
    try:
        Download.objects.create(
            user=request.user if request.user.is_authenticated else None,
            content_type=ContentType.objects.get_for_model(what),
            object_id=what.pk,
            label=str(what)[:200],
            kind=kind,
            filename=filename[:255],
            size=size,
        )
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    # Names of supporters: no shared cache keeps them, no browser guesses another type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- moving files (for the data migrations that made them private) --------------------


def stored_under(storage: Storage, folder: str) -> list[str]:
    """The names of every file in ``folder`` of ``storage`` and its subfolders."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [posixpath.join(folder, name) for name in files]
    for sub in folders:
        names += stored_under(storage, posixpath.join(folder, sub))
    return names


def move_files(*, names: Iterable[str], under: str, to_private: bool = True) -> int:
    """Move files from the default storage to the private one (or back), keeping their
    names: these ``names``, and every other file stored in the folder ``under`` (files
    that no row names any more must not stay public either). Returns how many moved.

    Idempotent: a file already moved is skipped; a copy cut short (the sizes differ) is
    made again; the source is deleted only once the copy is complete.
    """
    source, target = (default_storage, private_storage())
    if not to_private:
        source, target = target, source
    moved = 0
    for name in dict.fromkeys([*filter(None, names), *stored_under(source, under)]):
        if not source.exists(name):
            continue
        if target.exists(name) and target.size(name) != source.size(name):
            target.delete(name)
        if not target.exists(name):
            with source.open(name, "rb") as content:
                saved = target.save(name, content)
            if saved != name:
                raise RuntimeError(f"{name} was stored as {saved}; its row would lose it.")
        source.delete(name)
        moved += 1
    return moved

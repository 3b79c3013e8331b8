"""What a file is, from its first bytes: attachments of replies and uploaded postal replies.

The name and the declared Content-Type come from the sender and say nothing reliable; the
content decides. Only documents and pictures an official's office plausibly sends are
kept; everything else (executables, archives, scripts, HTML) is refused.
"""

import zipfile
from io import BytesIO

from django.utils.translation import gettext

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
HEIC = "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
TEXT = "text/plain"

PICTURES = frozenset({JPEG, PNG, GIF, WEBP, HEIC})
# A postal reply is photographed or scanned.
UPLOAD_TYPES = frozenset({PDF, JPEG, PNG, WEBP, HEIC})
REPLY_ATTACHMENT_TYPES = frozenset({PDF, DOCX, ODT, DOC, TEXT, *PICTURES})

_MAGIC = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", DOC),
)


def _zip_type(content: bytes) -> str | None:
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    return None


def sniff(content: bytes) -> str | None:
    """The type of a file from its content, or None if it is none we know."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"msf1"):
        return HEIC
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    head = content[:4096]
    if head and b"\x00" not in head and not head.lstrip().lower().startswith((b"<", b"#!")):
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if error.start < len(head) - 4:
                return None
        return TEXT
    return None


def check(content: bytes, *, allowed: frozenset[str], max_bytes: int) -> tuple[str, str]:
    """(type, "") for an acceptable file, ("", why) for one to refuse."""
    if not content:
        return "", gettext("the file is empty")
    if len(content) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        return "", gettext("it is larger than %(size)d MB") % {"size": megabytes}
    kind = sniff(content)
    if kind is None or kind not in allowed:
        return "", gettext("this type of file is not accepted")
    return kind, ""

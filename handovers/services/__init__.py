"""Every write of handovers: asking for and building delivery packs, recording handovers,
telling supporters, and taking names out of built packs. One module per part; every
service is importable from here."""

from .handovers import (
    FINGERPRINT_RE,
    announce_handover,
    find_pack,
    record_handover,
    request_pack,
)
from .packs import (
    build_pack,
    claim_pack,
    counted_signatures,
    fingerprint_signatures,
    named_signatures,
    paper_by_country,
    strip_names,
)

__all__ = [
    "FINGERPRINT_RE",
    "announce_handover",
    "build_pack",
    "claim_pack",
    "counted_signatures",
    "find_pack",
    "fingerprint_signatures",
    "named_signatures",
    "paper_by_country",
    "record_handover",
    "request_pack",
    "strip_names",
]

"""Petitions: what a case asks supporters to sign, the signatures, their counts, paper
signatures, exports, reported actions and solidarity messages. One module per part; every
model is importable from here."""

from .actions import ReportedAction, SolidarityMessage
from .paper import ExportLog, PaperSignature, PaperTally
from .signatures import (
    FLAGGED_BY_DEFENCES,
    FieldMode,
    Petition,
    PetitionText,
    Signature,
    SignatureCountShard,
)

__all__ = [
    "FLAGGED_BY_DEFENCES",
    "FieldMode",
    "Petition",
    "PetitionText",
    "Signature",
    "SignatureCountShard",
    "PaperTally",
    "PaperSignature",
    "ExportLog",
    "ReportedAction",
    "SolidarityMessage",
]

"""Procedure codes (UCC Annex B, DE 1/10): a requested and a previous procedure, two digits
each, and which declarations each is for."""

from __future__ import annotations

EXPORT_PROCEDURES = frozenset({"10", "11", "21", "22", "23", "31"})
IMPORT_PROCEDURES = frozenset(
    {
        "01",
        "07",
        "40",
        "42",
        "43",
        "44",
        "45",
        "46",
        "48",
        "51",
        "53",
        "54",
        "61",
        "63",
        "68",
        "71",
        "76",
        "77",
        "78",
        "95",
        "96",
    }
)
NO_PROCEDURE = "00"
"""A customs clearance request that places goods under no procedure yet (CDS C21: ``0012``)."""
REQUESTED = EXPORT_PROCEDURES | IMPORT_PROCEDURES | {NO_PROCEDURE}


def direction(procedure: str) -> str:
    """``EX`` when the requested procedure is an export one, ``""`` for ``00`` (either
    direction), else ``IM``."""
    requested = procedure[:2]
    if requested == NO_PROCEDURE:
        return ""
    return "EX" if requested in EXPORT_PROCEDURES else "IM"


def well_formed(procedure: str) -> bool:
    """Whether a four-digit code pairs a requested procedure with a previous one (or ``00``)."""
    if len(procedure) != 4 or not procedure.isdigit() or procedure[:2] not in REQUESTED:
        return False
    # A clearance request (00) names what it follows in national codes (CDS: 0002, 0090 …).
    return procedure[:2] == NO_PROCEDURE or procedure[2:] in REQUESTED

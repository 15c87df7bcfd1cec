"""Movement reference numbers in the EU/WCO 18-character shape.

Layout (EU UCC Annex B, data element 12 08 000 000 'MRN'): year of acceptance (2 n), country
of the office of acceptance (2 a), unique identifier (12 an), procedure indicator (1 a), check
character (1 an) computed by the ISO 6346 algorithm as the Transit Computerisation Project's
"Check character algorithm for the MRN and GRN" (DGXXI/0879/99 Rev.1) specifies.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import date

_ALPHABET = string.digits + string.ascii_uppercase
MRN_PATTERN = re.compile(r"^\d{2}[A-Z]{2}[0-9A-Z]{12}[A-Z][0-9]$")

# ISO 6346: letters count from 10 and skip the multiples of 11.
_VALUES: dict[str, int] = {digit: int(digit) for digit in string.digits}
_next = 10
for _letter in string.ascii_uppercase:
    if _next % 11 == 0:
        _next += 1
    _VALUES[_letter] = _next
    _next += 1

# Procedure indicators: A export only, R import declaration only.
PROCEDURE_INDICATOR = {"EX": "A", "IM": "R"}


def check_character(body: str) -> str:
    """Check character of the first 17 characters of an MRN."""
    total = sum(_VALUES[char] * (1 << position) for position, char in enumerate(body))
    return str(total % 11 % 10)


def new_mrn(declaration_type: str, country: str, accepted_on: date) -> str:
    """A fresh MRN; the 12-character identifier is random, so MRNs need no shared counter."""
    number = secrets.randbits(62)  # 36**12 > 2**62: every draw fits in 12 characters
    unique = ""
    for _ in range(12):
        number, digit = divmod(number, 36)
        unique += _ALPHABET[digit]
    body = f"{accepted_on:%y}{country}{unique}{PROCEDURE_INDICATOR[declaration_type]}"
    return body + check_character(body)


def is_valid_mrn(mrn: str) -> bool:
    return bool(MRN_PATTERN.match(mrn)) and check_character(mrn[:17]) == mrn[17]

"""The four selectivity lanes a declaration can be given, and their order of severity.

Basis: ASYCUDA World selectivity module (green, yellow, red and blue channels); WCO Risk
Management Compendium, Vol. 1 on channelling declarations by risk.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Lane(enum.StrEnum):
    """Where a declaration goes after risk assessment."""

    GREEN = "green"  # released without documentary or physical check
    YELLOW = "yellow"  # documentary check before release
    RED = "red"  # physical inspection before release
    BLUE = "blue"  # released now, post-clearance audit later


# Most severe first: a physical inspection outranks a document check, which outranks a deferred
# audit, which outranks release.
SEVERITY: tuple[Lane, ...] = (Lane.RED, Lane.YELLOW, Lane.BLUE, Lane.GREEN)


def most_severe(lanes: Iterable[Lane]) -> Lane:
    """The most severe of ``lanes``; GREEN when there are none."""
    return min(lanes, key=SEVERITY.index, default=Lane.GREEN)

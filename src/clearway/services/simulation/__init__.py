"""Synthetic trade flow: realistic UK import and export declarations in the JSON wire format.

Owns ``simulate``, which feeds load tests, demos and the risk models with traffic shaped like a
UK administration's: about 70% imports, repeat traders with a few big ones, customs brokers
lodging for many of them, goods priced and weighed like the real thing (goods, countries,
offices, carriers and the names of firms are data in ``reference/data/simulation``). A chosen
share breaks the validation rules in varied ways; another share is valid but suspicious
(undervalued, unusual origin, first-time trader) and deliberately not marked in the payload;
``simulate_labelled`` gives the same declarations with what was made of each, the ground truth
a risk model learns from. The same arguments always give the same declarations.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from clearway.domain.reference import ReferenceData
from clearway.services.simulation.catalogue import load_catalogue
from clearway.services.simulation.declarations import export_declaration, import_declaration
from clearway.services.simulation.faults import BREAKABLE_RULES, break_rule
from clearway.services.simulation.flow import Flow

__all__ = ["SimulatedDeclaration", "simulate", "simulate_labelled"]

IMPORT_SHARE = 0.7
SUSPICIONS = ("undervalued", "unusual_origin", "new_trader")
EXPORT_SUSPICIONS = ("undervalued", "new_trader")


@dataclass(frozen=True, slots=True)
class SimulatedDeclaration:
    """A generated declaration and what the simulator made of it, which its payload hides."""

    payload: dict[str, Any]
    # "undervalued", "unusual_origin" or "new_trader" for a suspicious declaration, else None.
    suspicion: str | None
    # How many validation rules it was made to break (0 for a valid declaration).
    broken_rules: int

    @property
    def suspicious(self) -> bool:
        return self.suspicion is not None


def simulate(
    count: int,
    seed: int,
    *,
    reference: ReferenceData,
    bad_share: float = 0.0,
    suspicious_share: float = 0.0,
    start: date | None = None,
) -> Iterator[dict[str, Any]]:
    """``count`` declaration payloads in the wire format, the same for the same arguments.

    Invoices are dated in the 60 days up to ``start`` (default today), in currencies with a rate
    on that day. Exactly ``round(count * bad_share)`` declarations break at least one validation
    rule as judged on ``start`` (and still parse); ``round(count * suspicious_share)`` others
    are valid but suspicious. Raises ``ValueError`` for shares outside 0-1 or adding up to more
    than 1, and for reference data lacking codes the simulation uses.
    """
    labelled = simulate_labelled(
        count,
        seed,
        reference=reference,
        bad_share=bad_share,
        suspicious_share=suspicious_share,
        start=start,
    )
    return (declaration.payload for declaration in labelled)


def simulate_labelled(
    count: int,
    seed: int,
    *,
    reference: ReferenceData,
    bad_share: float = 0.0,
    suspicious_share: float = 0.0,
    start: date | None = None,
) -> Iterator[SimulatedDeclaration]:
    """The declarations ``simulate`` gives for the same arguments, each with its suspicion and
    the number of rules it breaks; raises as ``simulate`` does."""
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    if not (
        0 <= bad_share <= 1 and 0 <= suspicious_share <= 1 and bad_share + suspicious_share <= 1
    ):
        raise ValueError("bad_share and suspicious_share must be 0-1 and add up to at most 1")
    missing = load_catalogue().missing_codes(reference)
    if missing:
        raise ValueError(f"reference data lacks codes the simulation uses: {', '.join(missing)}")
    flow = Flow(reference, seed, start or date.today())
    return _declarations(flow, count, bad_share, suspicious_share)


def _declarations(
    flow: Flow, count: int, bad_share: float, suspicious_share: float
) -> Iterator[SimulatedDeclaration]:
    rng = flow.rng
    bad = set(rng.sample(range(count), round(count * bad_share)))
    good = [index for index in range(count) if index not in bad]
    suspicious = set(rng.sample(good, min(len(good), round(count * suspicious_share))))
    for index in range(count):
        if rng.random() < IMPORT_SHARE:
            suspicion = rng.choice(SUSPICIONS) if index in suspicious else None
            payload = import_declaration(flow, suspicion)
        else:  # UK exports are all of UK origin, so none is of an unusual one
            suspicion = rng.choice(EXPORT_SUSPICIONS) if index in suspicious else None
            payload = export_declaration(flow, suspicion)
        to_break = (2 if rng.random() < 0.2 else 1) if index in bad else 0
        broken = 0
        while to_break:
            done = break_rule(rng.choice(BREAKABLE_RULES), payload, flow)
            to_break -= done
            broken += done
        yield SimulatedDeclaration(payload, suspicion, broken)

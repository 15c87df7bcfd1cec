"""Incoterms 2020 (ICC publication 723E) as they bear on the customs value.

Each term says whether the seller's price already covers the main international carriage and
the insurance of the goods in transit; the valuation adds or deducts what it does not.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IncotermRule:
    code: str
    name: str
    sea_only: bool
    includes_main_carriage: bool
    includes_insurance: bool


INCOTERMS_2020: dict[str, IncotermRule] = {
    rule.code: rule
    for rule in (
        IncotermRule("EXW", "Ex Works", False, False, False),
        IncotermRule("FCA", "Free Carrier", False, False, False),
        IncotermRule("FAS", "Free Alongside Ship", True, False, False),
        IncotermRule("FOB", "Free On Board", True, False, False),
        IncotermRule("CFR", "Cost and Freight", True, True, False),
        IncotermRule("CIF", "Cost, Insurance and Freight", True, True, True),
        IncotermRule("CPT", "Carriage Paid To", False, True, False),
        IncotermRule("CIP", "Carriage and Insurance Paid To", False, True, True),
        # In the D terms the seller bears carriage and risk to the named destination.
        IncotermRule("DAP", "Delivered At Place", False, True, True),
        IncotermRule("DPU", "Delivered at Place Unloaded", False, True, True),
        IncotermRule("DDP", "Delivered Duty Paid", False, True, True),
    )
}

# Terms of earlier editions a contract may still name (Incoterms 2010: DAT; 2000: DAF, DES,
# DEQ, DDU). A declaration of a WCO type may give them, as CDS takes them; a full declaration
# in Clearway's own form gives an Incoterms 2020 rule.
EARLIER_INCOTERMS: dict[str, IncotermRule] = {
    rule.code: rule
    for rule in (
        IncotermRule("DAT", "Delivered At Terminal (Incoterms 2010)", False, True, True),
        IncotermRule("DAF", "Delivered At Frontier (Incoterms 2000)", False, True, True),
        IncotermRule("DES", "Delivered Ex Ship (Incoterms 2000)", True, True, True),
        IncotermRule("DEQ", "Delivered Ex Quay (Incoterms 2000)", True, True, True),
        IncotermRule("DDU", "Delivered Duty Unpaid (Incoterms 2000)", False, True, True),
    )
}
ANY_INCOTERM: dict[str, IncotermRule] = {**EARLIER_INCOTERMS, **INCOTERMS_2020}

"""The UN/EDIFACT codes that carry Clearway's declaration in CUSDEC, from the D.96B code lists
(UNCL, ``shared/data/edifact/d96b/UNCL-1.96B`` and ``UNCL-2.96B``); D.99B keeps every one.

Reading accepts a few near codes beside the one written (e.g. the office of export for the
office of clearance); each is noted where it is listed.
"""

from __future__ import annotations

import csv
import functools
from decimal import Decimal

from clearway.reference import DATA_DIR

# UNCL 1001 Document/message name: 929 Goods declaration for importation, 930 ... for home
# use, 931 Customs immediate release declaration; 830 Goods declaration for exportation.
DECLARATION_TYPES = {"929": "IM", "930": "IM", "931": "IM", "830": "EX"}
DOCUMENT_NAMES = {"IM": "929", "EX": "830"}
# UNCL 1225 Message function: 9 Original.
ORIGINAL = "9"

# UNCL 3035 Party qualifier, per wire party.
PARTIES = {
    "declarant": "DT",  # Declarant
    "exporter": "EX",  # Exporter
    "importer": "IM",  # Importer
    "consignee": "CN",  # Consignee
    "end_user": "UC",  # Ultimate consignee
}

# UNCL 3227 Place/location qualifier.
OFFICE_OF_CLEARANCE = "22"  # Customs office of clearance: where the declaration is lodged
OFFICE_OF_EXPORT = "114"  # Customs office of export (read for exports that give no 22)
COUNTRY_OF_DISPATCH = "35"  # Country of exportation/despatch
COUNTRY_OF_DISPATCH_IN_UNION = "113"  # Country of despatch (read when no 35)
COUNTRY_OF_DESTINATION = "28"  # Country of destination of goods
COUNTRY_OF_ULTIMATE_DESTINATION = "36"  # read when no 28
COUNTRY_OF_ORIGIN = "27"
PLACE_OF_TERMS = "1"  # Place of terms of delivery

# UNCL 1131 Code list qualifier, naming what a CST customs identity code or a GIS indicator is.
PROCEDURE = "117"  # Customs procedure
COMMODITY = "122"  # Commodity (written); 169 Harmonized system (read as well)
COMMODITY_LISTS = ("122", "169")
SPECIAL_CODE = "110"  # Customs special codes: TARIC additional codes
PREFERENCE = "116"  # Customs preference

# UNCL 1153 Reference qualifier.
INVOICE_NUMBER = "IV"
DECLARANT_REFERENCE = "ABE"  # Declarant's reference number: the LRN when BGM gives none
HARMONISED_SYSTEM = "HS"  # Harmonised system number (read: the commodity code)
PREVIOUS_MESSAGE = "ACW"  # Reference number to previous message (CUSRES)

# UNCL 2005 Date/time/period qualifier, 2379 format.
INVOICE_DATE = "3"
CCYYMMDD = "102"

# UNCL 5025 Monetary amount type qualifier.
INVOICE_TOTAL = "39"
FREIGHT = "64"  # Freight charge (written); 144 Transport charges (Customs) read as well
FREIGHT_AMOUNTS = ("64", "144")
INSURANCE = "67"
ITEM_AMOUNT = "38"  # Invoice item amount

# UNCL 6311 Measurement application qualifier and 6313 Measurement dimension.
WEIGHTS = "WT"
MASS_PURPOSES = ("WT", "AAE")  # Weights; Measurement (read as well)
NET_MASS = "AAF"  # 6313 Net net weight [TDED 6048]: without any packing (UCC 6/1)
GROSS_MASS = "G"  # 6313 Gross weight [TDED 6292]
# Read in this order of preference: after the written code, Net weight and Total net weight
# (Total gross weight, Item gross weight), then the unit weights AAA (AAB), which D.96B
# defines per unit but many senders use for the goods item's own mass.
NET_MASSES = ("AAF", "AAL", "AAC", "AAA")
GROSS_MASSES = ("G", "AAD", "AAE", "AAB")
TARIFF_QUANTITY = "AAR"  # 6311 1st specified tariff quantity: the supplementary units
CUSTOMS_MEASUREMENT = "AAF"  # 6311 Customs line item measurement: the TARIC quantities
# UN/ECE Recommendation 20 mass units (and "KG", which some customs systems send) in kg.
KILOGRAMS_PER_UNIT = {
    "KGM": Decimal(1),
    "KG": Decimal(1),
    "GRM": Decimal("0.001"),
    "TNE": Decimal(1000),
    "LBR": Decimal("0.45359237"),
}
KILOGRAM = "KGM"

# UNCL 4451 Text subject qualifier.
GOODS_DESCRIPTION = "AAA"
LICENCE_INFORMATION = "AAX"  # the control-list entry claimed for the goods
ERROR_DESCRIPTION = "AAO"
MUTUALLY_DEFINED = "ZZZ"

# UNCL 8053 Equipment qualifier, 8051 Transport stage qualifier, 4055 terms function.
CONTAINER = "CN"
AT_BORDER = "11"
DELIVERY_CONDITION = "6"

# UNSL 0081 Section identification.
DETAIL_SECTION = "D"
SUMMARY_SECTION = "S"


@functools.cache
def transport_modes() -> dict[str, str]:
    """Clearway's transport mode words by their UN/ECE Recommendation 19 digit."""
    with (DATA_DIR / "transport_modes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["un_rec19"]: row["code"] for row in csv.DictReader(handle)}


@functools.cache
def rec19_codes() -> dict[str, str]:
    """The UN/ECE Recommendation 19 digit of each of Clearway's transport mode words."""
    return {word: digit for digit, word in transport_modes().items()}

"""The CDS validation code that corresponds to each Clearway violation code.

A UK CDS notification of rejection names each error by a validation code whose text is in
CDS's list (``dmsErrorCodes.json``): ``CDS10001`` "Obligation Error: Mandatory Data Element has
not been provided", ``CDS10010`` "Format Error: Invalid format", ``CDS10020`` "Data Error: Data
Element contains invalid value" … A Clearway violation is a rule code (``BR101``) or a schema
code (``SCHEMA.`` and the Pydantic error type). A code is mapped only where the CDS text says
what the Clearway check finds; the others have no CDS counterpart and map to ``None``.

The trade test pack's rejections fix the choice where a text alone leaves it open: CDS answers
an item number of 1000 (n..3) with ``10020``, an LRN of 25 characters (an..22) with ``10010``,
an unknown office of exit with ``10020`` and an unknown requested procedure with ``12050``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

SCHEMA_PREFIX = "SCHEMA."

OBLIGATION = "CDS10001"  # Obligation Error: Mandatory Data Element has not been provided
NOT_ALLOWED = "CDS10002"  # Obligation Error: Data Element is not allowed
OCCURRENCES = "CDS10003"  # Obligation Error: Number of Occurrences exceeds what is allowed …
COMMODITY_CODE = "CDS10004"  # Commodity code Error: … not provided or format error …
FORMAT = "CDS10010"  # Format Error: Invalid format
INVALID_VALUE = "CDS10020"  # Data Error: Data Element contains invalid value
GREATER_THAN_ZERO = "CDS12123"  # Data Error: Value must be greater than 0
COMBINATION = "CDS12056"  # Relation Error: The combination of elements is not allowed

SCHEMA_CODES: Mapping[str, str] = MappingProxyType(
    {
        "missing": OBLIGATION,
        # A list that must hold an entry (the goods items) is empty.
        "too_short": OBLIGATION,
        "extra_forbidden": NOT_ALLOWED,
        "too_long": OCCURRENCES,
        **dict.fromkeys(
            (
                "string_pattern_mismatch",
                "string_too_long",
                "string_too_short",
                "string_type",
                "text_not_printable",
                "int_type",
                "int_parsing",
                "int_from_float",
                "decimal_type",
                "decimal_parsing",
                "decimal_max_digits",
                "decimal_max_places",
                "decimal_whole_digits",
                "finite_number",
                "bool_type",
                "bool_parsing",
                "date_type",
                "date_parsing",
                "date_from_datetime_parsing",
                "date_from_datetime_inexact",
                "list_type",
                "model_type",
                "dict_type",
            ),
            FORMAT,
        ),
        **dict.fromkeys(
            (
                "literal_error",
                "enum",
                "greater_than",
                "greater_than_equal",
                "less_than",
                "less_than_equal",
            ),
            INVALID_VALUE,
        ),
        # Neither a name nor an EORI number: without the number the name is mandatory.
        "party_unnamed": "CDS12074",
    }
)

RULE_CODES: Mapping[str, str] = MappingProxyType(
    {
        # Declaration header
        "BR001": "CDS11004",  # … combination of … Declaration Type … procedure code is invalid
        "BR003": GREATER_THAN_ZERO,
        "BR004": OBLIGATION,
        "BR005": "CDS12098",  # Combination of Means of Transport and Delivery Terms not allowed
        "BR013": OBLIGATION,
        "BR014": FORMAT,
        "BR015": COMBINATION,
        "BR016": INVALID_VALUE,
        # Parties
        "BR020": OBLIGATION,
        "BR021": OBLIGATION,
        "BR022": OBLIGATION,
        "BR023": FORMAT,
        "BR024": FORMAT,
        "BR025": "CDS12153",  # EORIs with this country code are not supported
        # Goods items
        "BR031": OCCURRENCES,
        "BR032": COMMODITY_CODE,
        "BR033": GREATER_THAN_ZERO,
        "BR034": "CDS11006",  # Net Mass must be lower than Gross Mass
        "BR035": GREATER_THAN_ZERO,
        "BR037": GREATER_THAN_ZERO,
        "BR040": "CDS71200",  # Document Codes with identical IDs are not permitted on an item
        "BR042": FORMAT,
        "BR043": "CDS13000",  # Credibility check: incredible value found
        # Formalities
        "BR101": INVALID_VALUE,
        "BR102": COMBINATION,
        "BR103": "CDS12149",  # Additional Procedure code 000 can not be declared with any other
        "BR104": INVALID_VALUE,
        "BR105": "CDS12070",  # The value supplied in Data Element 1 mandates … Data Element 2
        "BR106": "CDS12078",  # As no Deferment Account Number is provided in D.E. 2/6 …
        "BR107": "CDS12099",  # Combination of elements that make up the Goods Location Code …
        "BR108": OBLIGATION,
        "BR109": INVALID_VALUE,
        "BR111": "CDS77005",  # Reason for waiver must be declared for Document Category
        "BR112": FORMAT,
        # Code lists
        "CL001": INVALID_VALUE,
        "CL002": INVALID_VALUE,
        "CL003": INVALID_VALUE,
        "CL004": INVALID_VALUE,
        "CL005": "CDS12050",  # A valid Requested Procedure (D.E. 1/10) has not been provided …
        "CL006": INVALID_VALUE,
        "CL007": INVALID_VALUE,
        "CL008": INVALID_VALUE,
        "CL009": INVALID_VALUE,
        "CL010": INVALID_VALUE,
        # Amendments
        "AM001": "CDS11012",  # Element is not allowed to be amended on this Declaration Type
        "AM002": "CDS11012",
        "AM003": "CDS11007",  # The submitter of the Additional Message differs from the original
    }
)


def cds_code_for(violation_code: str) -> str | None:
    """The CDS validation code of a Clearway violation (``SCHEMA.missing`` → ``CDS10001``,
    ``BR103`` → ``CDS12149``), ``None`` when CDS has none that says the same."""
    if violation_code.startswith(SCHEMA_PREFIX):
        return SCHEMA_CODES.get(violation_code.removeprefix(SCHEMA_PREFIX))
    return RULE_CODES.get(violation_code)

"""Which DEC-DMS element carries which wire field: the tables the reader, the writer and the
error pointers share (``docs/wco-data-model.md`` gives each field's WCO ID and UCC number).

Element paths are relative to the element named in each table (``Declaration`` for the header,
``GovernmentAgencyGoodsItem`` for an item).
"""

from __future__ import annotations

from collections.abc import Mapping

ITEM = "GoodsShipment/GovernmentAgencyGoodsItem"

ADDRESS: Mapping[str, str] = {
    "street": "Line",
    "city": "CityName",
    "postcode": "PostcodeID",
    "country": "CountryCode",
}
# Each wire party and its element (name and address: DE 3/1, 3/9, 3/15, 3/17; EORI: 3/2 …).
PARTIES: Mapping[str, str] = {
    "declarant": "Declarant",
    "exporter": "Exporter",
    "importer": "GoodsShipment/Importer",
    "consignee": "GoodsShipment/Consignee",
    "carrier": "Consignment/Carrier",
    "consignor": "Consignment/Consignor",
}
# Single header values.
HEADER_VALUES: Mapping[str, str] = {
    "lrn": "FunctionalReferenceID",
    "dispatch_country": "GoodsShipment/ExportCountry/ID",
    "destination_country": "GoodsShipment/Destination/CountryCode",
    "nature_of_transaction": "GoodsShipment/TransactionNatureCode",
    "ucr": "GoodsShipment/UCR/TraderAssignedReferenceID",
    "office": "DeclarationOfficeID",
    "exit_office": "ExitOffice/ID",
    "supervising_office": "SupervisingOffice/ID",
    "total_packages": "TotalPackageQuantity",
    "freight_payment_method": "Consignment/Freight/PaymentMethodCode",
}
# Header lists of repeated elements: wire field → (element, its fields in schema order).
HEADER_LISTS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "deferred_payments": (
        "AdditionalDocument",
        {"category": "CategoryCode", "reference": "ID", "type": "TypeCode"},
    ),
    "authorisations": ("AuthorisationHolder", {"holder": "ID", "type": "CategoryCode"}),
    "guarantees": (
        "ObligationGuarantee",
        {"reference": "ID", "type": "SecurityDetailsCode", "access_code": "AccessCode"},
    ),
    "duty_tax_parties": ("GoodsShipment/DomesticDutyTaxParty", {"id": "ID", "role": "RoleCode"}),
}
REPRESENTATIVE: Mapping[str, str] = {"id": "ID", "status": "FunctionCode"}
TRANSPORT_MEANS: Mapping[str, str] = {"identity": "ID", "identity_type": "IdentificationTypeCode"}
BORDER_MEANS: Mapping[str, str] = {**TRANSPORT_MEANS, "nationality": "RegistrationNationalityCode"}
INLAND_MEANS: Mapping[str, str] = {
    "arrival_transport": "GoodsShipment/Consignment/ArrivalTransportMeans",
    "departure_transport": "GoodsShipment/Consignment/DepartureTransportMeans",
}
GOODS_LOCATION: Mapping[str, str] = {
    "id": "ID",
    "name": "Name",
    "type": "TypeCode",
    "qualifier": "Address/TypeCode",
    "country": "Address/CountryCode",
}
WAREHOUSE: Mapping[str, str] = {"id": "ID", "type": "TypeCode"}
PREVIOUS_DOCUMENT: Mapping[str, str] = {
    "category": "CategoryCode",
    "reference": "ID",
    "type": "TypeCode",
    "line": "LineNumeric",
}
STATEMENT: Mapping[str, str] = {"code": "StatementCode", "text": "StatementDescription"}
# Single item values.
ITEM_VALUES: Mapping[str, str] = {
    "sequence": "SequenceNumeric",
    "nature_of_transaction": "TransactionNatureCode",
    "description": "Commodity/Description",
    "valuation_method": "CustomsValuation/MethodCode",
    "dispatch_country": "ExportCountry/ID",
    "valuation_indicator": "ValuationAdjustment/AdditionCode",
    "gross_mass_kg": "Commodity/GoodsMeasure/GrossMassMeasure",
    "net_mass_kg": "Commodity/GoodsMeasure/NetNetWeightMeasure",
    "invoice_amount": "Commodity/InvoiceLine/ItemChargeAmount",
}
ITEM_AMOUNTS: Mapping[str, str] = {
    "customs_value": "CustomsValueAmount",
    "statistical_value": "StatisticalValueAmount",
}
PACKAGES: Mapping[str, str] = {
    "marks": "MarksNumbersID",
    "count": "QuantityQuantity",
    "kind": "TypeCode",
}
DOCUMENT: Mapping[str, str] = {"reference": "ID", "name": "Name", "status": "LPCOExemptionCode"}
# Digits of a TARIC code: the eight of the Combined Nomenclature (TSP) and two more (TRC).
TARIC_LENGTH = 10
# Classification.IdentificationTypeCode of each list of codes.
CLASSIFICATION_LISTS: Mapping[str, str] = {"TRA": "additional_codes", "GN": "national_codes"}
# Origin.TypeCode of each origin.
ORIGINS: Mapping[str, str] = {"1": "origin_country", "2": "preferential_origin"}
# Wire fields that are JSON integers (the schema's n..N); every other value is text.
INTEGER_FIELDS = frozenset({"sequence", "count", "line", "total_packages"})
# A UN/LOCODE (UN/ECE Recommendation 16): a delivery place of this form is TradeTerms.LocationID.
LOCODE_PATTERN = r"^[A-Z]{2}[A-Z2-9]{3}$"

"""The DEC-DMS elements that have no wire field, and those read only as part of another.

Keys are element paths from ``Declaration`` without positions; an entry covers the element and
everything inside it. UCC data element numbers are those of the CDS trade test pack's
annotations (Annex B to Delegated Regulation (EU) 2015/2446 as the UK applies it).
"""

from __future__ import annotations

from collections.abc import Mapping

from clearway.adapters.messages.dec_dms_fields import PARTIES

_ITEM = "Declaration/GoodsShipment/GovernmentAgencyGoodsItem"
_CONTACT = "contact person and telephone or e-mail: the wire's parties carry neither"

NOT_MAPPED: Mapping[str, str] = {
    "Declaration/AcceptanceDateTime": "acceptance date: Clearway records when it accepts",
    "Declaration/IssueDateTime": "date of the declaration (DE 5/4): the lodging time is kept",
    "Declaration/IssueLocationID": "place of the declaration (DE 5/5): no wire field",
    "Declaration/GoodsItemQuantity": "number of items (DE 1/9): the length of the wire's items",
    "Declaration/LoadingListQuantity": "number of loading lists: no wire field",
    "Declaration/TotalGrossMassMeasure": "total gross mass: the sum of the items' gross masses",
    "Declaration/SpecificCircumstancesCodeCode": "specific circumstance (DE 1/7): no wire field",
    "Declaration/Authentication": "the declarant's signature or authentication: no wire field",
    "Declaration/Submitter": "the submitter: the authenticated API caller is the submitter",
    "Declaration/AdditionalInformation/StatementTypeCode": "statement type (AES marks the text "
    "of an amendment or cancellation reason): the wire's statements have a code and a text",
    "Declaration/AdditionalInformation/Pointer": "a statement with a pointer is the reason for "
    "an amendment or cancellation, not a DE 2/2 statement, and is left out whole",
    "Declaration/Agent/Name": "representative's name (DE 3/19): the wire has status and EORI",
    "Declaration/Agent/Address": "representative's address (DE 3/19): no wire field",
    "Declaration/Amendment": "reason code and pointers of an amendment: the wire is a whole "
    "declaration",
    "Declaration/BorderTransportMeans/Name": "name of the border means: the identity is its ID",
    "Declaration/BorderTransportMeans/TypeCode": "type of the border means: no wire field",
    "Declaration/Consignment/Carrier/Communication": _CONTACT,
    "Declaration/Consignment/ConsignmentItem": "consignment items (per-item consignor and "
    "freight payment): the wire has them for the whole consignment only",
    "Declaration/Consignment/Consignor/Address/TypeCode": "address type: no wire field",
    "Declaration/CurrencyExchange": "exchange rate (DE 4/15): Clearway applies its own rates",
    "Declaration/Declarant/Contact": _CONTACT,
    "Declaration/Declarant/Communication": _CONTACT,
    "Declaration/Exporter/Contact": _CONTACT,
    "Declaration/Exporter/Communication": _CONTACT,
    "Declaration/ObligationGuarantee/AmountAmount": "amount of the guarantee: no wire field",
    "Declaration/ObligationGuarantee/ReferenceID": "guarantee reference number (GRN, DE 8/3): "
    "the wire's guarantee reference is the other reference (ObligationGuarantee/ID)",
    "Declaration/ObligationGuarantee/GuaranteeOffice": "guarantee office: no wire field",
    "Declaration/PresentationOffice": "customs office of presentation (DE 5/26): the wire has "
    "the declaration office (DeclarationOfficeID) only",
    "Declaration/GoodsShipment/ExitDateTime": "date and time of exit: no wire field",
    "Declaration/GoodsShipment/AEOMutualRecognitionParty": "additional supply chain actors "
    "(DE 3/37): no wire field",
    "Declaration/GoodsShipment/Buyer": "buyer (DE 3/26, 3/27): no wire party",
    "Declaration/GoodsShipment/Seller": "seller (DE 3/24, 3/25): no wire party",
    "Declaration/GoodsShipment/Consignor": "a goods-shipment consignor: the wire's consignor is "
    "the consignment's (Declaration/Consignment/Consignor)",
    "Declaration/GoodsShipment/Importer/Contact": _CONTACT,
    "Declaration/GoodsShipment/Importer/Communication": _CONTACT,
    "Declaration/GoodsShipment/Payer": "payer: no wire party",
    "Declaration/GoodsShipment/Surety": "surety: no wire party",
    "Declaration/GoodsShipment/Destination/RegionID": "region of destination (DE 5/9): no wire "
    "field",
    "Declaration/GoodsShipment/Consignment/ArrivalTransportMeans/Name": "name of the means on "
    "arrival: the identity is its ID",
    "Declaration/GoodsShipment/Consignment/ArrivalTransportMeans/TypeCode": "type of the means on "
    "arrival: no wire field",
    "Declaration/GoodsShipment/Consignment/DepartureTransportMeans/Name": "name of the means at "
    "departure: the identity is its ID",
    "Declaration/GoodsShipment/Consignment/DepartureTransportMeans/TypeCode": "type of the means "
    "at departure: no wire field",
    "Declaration/GoodsShipment/Consignment/GoodsLocation/Address/CityName": "location's address: "
    "the wire's goods location has its country only",
    "Declaration/GoodsShipment/Consignment/GoodsLocation/Address/Line": "location's address: the "
    "wire's goods location has its country only",
    "Declaration/GoodsShipment/Consignment/GoodsLocation/Address/PostcodeID": "location's "
    "address: the wire's goods location has its country only",
    "Declaration/GoodsShipment/Consignment/LoadingLocation": "place of loading (DE 5/21): no wire "
    "field",
    "Declaration/GoodsShipment/TradeTerms/CountryRelationshipCode": "delivery terms' country "
    "relationship: no wire field",
    "Declaration/GoodsShipment/TradeTerms/Description": "delivery terms' free text: no wire field",
    "Declaration/GoodsShipment/UCR/ID": "UCR identifier: the wire's ucr is the trader's "
    "reference (TraderAssignedReferenceID, DE 2/4)",
    f"{_ITEM}/AdditionalDocument/EffectiveDateTime": "document date: no wire field",
    f"{_ITEM}/AdditionalDocument/Submitter": "document issuer: no wire field",
    f"{_ITEM}/AdditionalDocument/WriteOff/AmountAmount": "amount written off a licence: the "
    "wire's write-off is a quantity",
    f"{_ITEM}/AdditionalInformation/StatementTypeCode": "statement type: the wire's statements "
    "have a code and a text",
    f"{_ITEM}/AEOMutualRecognitionParty": "item supply chain actors (DE 3/37): no wire field",
    f"{_ITEM}/Buyer": "item buyer (DE 3/26, 3/27): no wire party",
    f"{_ITEM}/Seller": "item seller (DE 3/24, 3/25): no wire party",
    f"{_ITEM}/Consignee": "item consignee: the wire's consignee is the declaration's",
    f"{_ITEM}/Consignor": "item consignor: the wire's consignor is the declaration's",
    f"{_ITEM}/Destination": "item country of destination (DE 5/8 at item level): the wire's "
    "destination_country is the declaration's",
    f"{_ITEM}/DomesticDutyTaxParty": "item additional fiscal references (DE 3/40 at item "
    "level): the wire's duty_tax_parties are the declaration's",
    f"{_ITEM}/UCR": "item UCR: the wire's ucr is the declaration's",
    f"{_ITEM}/CustomsValuation/ChargeDeduction": "item additions and deductions (DE 4/9 at item "
    "level): the wire's charges are the declaration's",
    f"{_ITEM}/Origin/RegionID": "region of origin (DE 5/15 region): no wire field",
    f"{_ITEM}/Packaging/PackingMaterialDescription": "packing material: no wire field",
    f"{_ITEM}/Packaging/LengthMeasure": "package dimensions: no wire field",
    f"{_ITEM}/Packaging/WidthMeasure": "package dimensions: no wire field",
    f"{_ITEM}/Packaging/HeightMeasure": "package dimensions: no wire field",
    f"{_ITEM}/Packaging/VolumeMeasure": "package volume: no wire field",
    f"{_ITEM}/Commodity/DangerousGoods": "UN dangerous goods number: no wire field",
    f"{_ITEM}/Commodity/TransportEquipment": "the item's container numbers: the wire's equipment "
    "is the consignment's",
    f"{_ITEM}/Commodity/DutyTaxFee/AdValoremTaxBaseAmount": "tax base declared by the trader: "
    "Clearway computes the base",
    f"{_ITEM}/Commodity/DutyTaxFee/DeductAmount": "amount deducted from a tax: Clearway computes",
    f"{_ITEM}/Commodity/DutyTaxFee/TaxRateNumeric": "tax rate declared by the trader: the tariff "
    "gives the rate",
    f"{_ITEM}/Commodity/DutyTaxFee/Payment/TaxAssessedAmount": "tax assessed by the trader "
    "(DE 4/6): Clearway assesses",
    f"{_ITEM}/Commodity/DutyTaxFee/Payment/PaymentAmount": "amount payable stated by the trader "
    "(DE 4/7): Clearway assesses",
    **{
        f"Declaration/{path}/Address/{name}": "country subdivision: the wire's addresses have "
        "street, city, postcode and country"
        for path in PARTIES.values()
        for name in ("CountrySubDivisionCode", "CountrySubDivisionName")
    },
}

# Elements read without a JSON pointer of their own: the value goes into another element's
# wire field, or into DecDmsDeclaration itself.
READ_WITHOUT_POINTER: Mapping[str, str] = {
    "Declaration/FunctionCode": "DecDmsDeclaration.function_code (9 original, 13 amendment)",
    "Declaration/ID": "DecDmsDeclaration.mrn, the declaration an amendment refers to",
    "Declaration/Consignment/Itinerary/SequenceNumeric": "the order of routing_countries",
    "Declaration/GoodsShipment/Consignment/TransportEquipment/Seal/SequenceNumeric": "the order "
    "of an equipment's seals",
    f"{_ITEM}/AdditionalDocument/CategoryCode": "the first character of the document type",
    f"{_ITEM}/Commodity/Classification/IdentificationTypeCode": "which field the code goes to: "
    "TSP, TRC commodity_code; TRA additional_codes; GN national_codes; CV cus_code",
    f"{_ITEM}/GovernmentProcedure/PreviousCode": "the last two digits of the procedure",
    f"{_ITEM}/Origin/TypeCode": "which origin: 1 origin_country, 2 preferential_origin",
    f"{_ITEM}/Packaging/SequenceNumeric": "the one packaging of an item, always 1",
}

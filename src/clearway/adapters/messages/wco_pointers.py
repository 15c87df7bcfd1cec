"""Where a wire field is in a DEC-DMS declaration, as the ``Pointer`` of a DMS notification.

CDS points at a data element with the WCO tags of the classes down to it (``42A`` Declaration,
``67A`` GoodsShipment, ``68A`` goods item, ``23A`` Commodity ...), the sequence number of each
occurrence that needs one, and the WCO tag of the element at the last step (``128`` net mass,
``D026`` LRN); the tags are those annotated in the shipped ``WCO_DEC_2_DMS.xsd``. As in CDS's
notifications (TT_IM014a, TT_IM063a, TT_IM001b of the trade test pack): the goods item carries
its SequenceNumeric, and so do the other classes that have one (equipment, seals, routing,
packaging); any other class that occurs more than once carries the 1-based position of the
occurrence, as Clearway's writer lays them out; a class that occurs once carries none.

A field without a WCO element (``NOT_WRITTEN`` in ``dec_dms_write``) is pointed at through the
nearest enclosing field that has one (``/items/0/control`` at the goods item).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from clearway.adapters.messages.dec_dms_fields import (
    ADDRESS,
    BORDER_MEANS,
    CLASSIFICATION_LISTS,
    DOCUMENT,
    GOODS_LOCATION,
    HEADER_LISTS,
    HEADER_VALUES,
    INLAND_MEANS,
    ITEM,
    ITEM_AMOUNTS,
    ITEM_VALUES,
    LOCODE_PATTERN,
    ORIGINS,
    PACKAGES,
    PARTIES,
    PREVIOUS_DOCUMENT,
    REPRESENTATIVE,
    STATEMENT,
    TARIC_LENGTH,
    TRANSPORT_MEANS,
    WAREHOUSE,
)
from clearway.adapters.messages.dec_dms_layout import rule
from clearway.adapters.messages.dms_notification_data import PointerStep

__all__ = ["PointerStep", "element_of", "pointer_steps"]

# Classes whose occurrences are numbered by their own SequenceNumeric.
NUMBERED = frozenset(
    {"GovernmentAgencyGoodsItem", "TransportEquipment", "Seal", "Itinerary", "Packaging"}
)
# Wire fields without an element: pointed at through their nearest enclosing field.
WITHOUT_ELEMENT = re.compile(r"^(/end_user|/insurance|/items/\*/control)(/.*)?$")
# Item fields that are lists of the item's repeated classes.
FEE_LISTS = ("tax_payments", "quantities")
IN_ITEM = ("Classification", "DutyTaxFee", "Origin", "GovernmentProcedure", "Packaging")
# A delivery place that is a UN/LOCODE is TradeTerms.LocationID (L002), any other LocationName.
CODED_PLACE = "Declaration/GoodsShipment/TradeTerms/LocationID"


def _fields(prefix: str, path: str, names: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    for key, child in names.items():
        yield f"{prefix}/{key}", f"{path}/{child}"


def _templates() -> dict[str, str]:
    """Every wire field (``*`` for a list index) and its element path from Declaration."""
    found: dict[str, str] = {"": "Declaration", "/type": "Declaration/TypeCode"}
    found["/additional_type"] = "Declaration/TypeCode"
    found["/procedure"] = f"Declaration/{ITEM}/GovernmentProcedure/CurrentCode"
    found.update(_fields("", "Declaration", HEADER_VALUES))
    for party, path in PARTIES.items():
        at, element = f"/{party}", f"Declaration/{path}"
        found[at] = element
        found.update(_fields(at, element, {"id": "ID", "name": "Name", "address": "Address"}))
        found[f"{at}/country"] = f"{element}/Address/CountryCode"
        found.update(_fields(f"{at}/address", f"{element}/Address", ADDRESS))
    found["/representative"] = "Declaration/Agent"
    found.update(_fields("/representative", "Declaration/Agent", REPRESENTATIVE))
    for key, (path, names) in HEADER_LISTS.items():
        found[f"/{key}/*"] = f"Declaration/{path}"
        found.update(_fields(f"/{key}/*", f"Declaration/{path}", names))
    found.update(_statements("", "Declaration"))
    found["/transport"] = "Declaration/BorderTransportMeans"
    found.update(
        _fields(
            "/transport", "Declaration/BorderTransportMeans", {**BORDER_MEANS, "mode": "ModeCode"}
        )
    )
    found["/transport/container"] = "Declaration/GoodsShipment/Consignment/ContainerCode"
    for key, path in INLAND_MEANS.items():
        found[f"/{key}"] = f"Declaration/{path}"
        found.update(
            _fields(f"/{key}", f"Declaration/{path}", {**TRANSPORT_MEANS, "mode": "ModeCode"})
        )
    equipment = "Declaration/GoodsShipment/Consignment/TransportEquipment"
    found["/equipment/*"] = equipment
    found.update(_fields("/equipment/*", equipment, {"sequence": "SequenceNumeric", "id": "ID"}))
    found["/equipment/*/seals/*"] = f"{equipment}/Seal/ID"
    found["/routing_countries/*"] = "Declaration/Consignment/Itinerary/RoutingCountryCode"
    location = "Declaration/GoodsShipment/Consignment/GoodsLocation"
    found["/goods_location"] = location
    found.update(_fields("/goods_location", location, GOODS_LOCATION))
    found["/warehouse"] = "Declaration/GoodsShipment/Warehouse"
    found.update(_fields("/warehouse", "Declaration/GoodsShipment/Warehouse", WAREHOUSE))
    terms = "Declaration/GoodsShipment/TradeTerms"
    found.update(
        {
            "/incoterm": terms,
            "/incoterm/code": f"{terms}/ConditionCode",
            "/incoterm/place": f"{terms}/LocationName",
        }
    )
    for key in ("/invoice", "/invoice/currency", "/invoice/amount"):
        found[key] = "Declaration/InvoiceAmount"
    found["/invoice/number"] = "Declaration/GoodsShipment/Invoice/ID"
    found["/invoice/date"] = "Declaration/GoodsShipment/Invoice/IssueDateTime"
    valuation = "Declaration/GoodsShipment/CustomsValuation"
    for key in ("/freight", "/freight/currency", "/freight/amount"):
        found[key] = f"{valuation}/FreightChargeAmount"
    found["/charges/*"] = f"{valuation}/ChargeDeduction"
    found["/charges/*/code"] = f"{valuation}/ChargeDeduction/ChargesTypeCode"
    for key in ("currency", "amount"):
        found[f"/charges/*/{key}"] = f"{valuation}/ChargeDeduction/OtherChargeDeductionAmount"
    found.update(_previous_documents("", "Declaration/GoodsShipment"))
    found["/items"] = "Declaration/GoodsShipment"
    found.update(_item_templates("/items/*", f"Declaration/{ITEM}"))
    return found


def _statements(prefix: str, path: str) -> dict[str, str]:
    found = {f"{prefix}/additional_information/*": f"{path}/AdditionalInformation"}
    found.update(
        _fields(f"{prefix}/additional_information/*", f"{path}/AdditionalInformation", STATEMENT)
    )
    return found


def _previous_documents(prefix: str, path: str) -> dict[str, str]:
    found = {f"{prefix}/previous_documents/*": f"{path}/PreviousDocument"}
    found.update(
        _fields(f"{prefix}/previous_documents/*", f"{path}/PreviousDocument", PREVIOUS_DOCUMENT)
    )
    return found


def _item_templates(at: str, goods: str) -> dict[str, str]:
    found = {at: goods}
    found.update(_fields(at, goods, ITEM_VALUES))
    for key, path in ITEM_AMOUNTS.items():
        for part in ("", "/currency", "/amount"):
            found[f"{at}/{key}{part}"] = f"{goods}/{path}"
    classification = f"{goods}/Commodity/Classification/ID"
    found[f"{at}/commodity_code"] = found[f"{at}/cus_code"] = classification
    for key in CLASSIFICATION_LISTS.values():
        found[f"{at}/{key}/*"] = classification
    fee = f"{goods}/Commodity/DutyTaxFee"
    found[f"{at}/preference"] = f"{fee}/DutyRegimeCode"
    found[f"{at}/quota"] = f"{fee}/QuotaOrderID"
    found[f"{at}/tax_payments/*"] = fee
    found[f"{at}/tax_payments/*/type"] = f"{fee}/TypeCode"
    found[f"{at}/tax_payments/*/method"] = f"{fee}/Payment/MethodCode"
    for part in ("", "/amount", "/unit"):
        found[f"{at}/quantities/*{part}"] = f"{fee}/SpecificTaxBaseQuantity"
        found[f"{at}/supplementary_units{part.replace('amount', 'quantity')}"] = (
            f"{goods}/Commodity/GoodsMeasure/TariffQuantity"
        )
    for key in ORIGINS.values():
        found[f"{at}/{key}"] = f"{goods}/Origin/CountryCode"
    found[f"{at}/packages"] = f"{goods}/Packaging"
    found.update(_fields(f"{at}/packages", f"{goods}/Packaging", PACKAGES))
    document = f"{goods}/AdditionalDocument"
    found[f"{at}/documents/*"] = document
    found.update(_fields(f"{at}/documents/*", document, {**DOCUMENT, "type": "TypeCode"}))
    for part in ("", "/quantity", "/unit"):
        found[f"{at}/documents/*/write_off{part}"] = f"{document}/WriteOff/QuantityQuantity"
    found[f"{at}/additional_procedures/*"] = f"{goods}/GovernmentProcedure/CurrentCode"
    found[f"{at}/procedure"] = f"{goods}/GovernmentProcedure/CurrentCode"
    found.update(_previous_documents(at, goods))
    found.update(_statements(at, goods))
    return found


TEMPLATES = _templates()


def _parts(pointer: str) -> list[str]:
    if pointer and not pointer.startswith("/"):
        raise ValueError(f"{pointer!r} is not a JSON pointer")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _shape(parts: list[str]) -> str:
    """The template of a pointer's parts: list indices as ``*``."""
    return "".join("/" + ("*" if part.isdigit() else part) for part in parts)


def _template(parts: list[str]) -> str | None:
    shape = _shape(parts)
    return shape if shape in TEMPLATES else None


def _at(wire: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(wire, list) and part.isdigit() and int(part) < len(wire):
            wire = wire[int(part)]
        elif isinstance(wire, dict):
            wire = wire.get(part)
        else:
            return None
    return wire


def _present(item: dict[str, Any], key: str, field: str) -> bool:
    return key == field or item.get(key) not in (None, [], {})


def _in_item(
    name: str, item: dict[str, Any], field: str, index: int, wire: dict[str, Any]
) -> tuple[int, int]:
    """Position and count of the item's occurrence of ``name`` that carries ``field`` (its
    ``index``-th value for a list), in the order Clearway's writer lays the item out."""
    if name == "Classification":
        entries: list[str] = []
        if _present(item, "commodity_code", field):
            code = str(item.get("commodity_code") or "")
            entries += ["commodity_code"] * (2 if len(code) == TARIC_LENGTH else 1)
        for key in CLASSIFICATION_LISTS.values():
            listed = len(item.get(key) or [])
            entries += [key] * (max(listed, index + 1) if key == field else listed)
        if _present(item, "cus_code", field):
            entries.append("cus_code")
        listed_field = field in CLASSIFICATION_LISTS.values()
        return entries.index(field) + 1 + (index if listed_field else 0), len(entries)
    if name == "DutyTaxFee":
        heads = 1 if _present(item, "preference", field) or _present(item, "quota", field) else 0
        position = index + 1 if field in FEE_LISTS else 1
        lengths = [len(item.get(key) or []) for key in FEE_LISTS]
        return position, max(*lengths, heads, position)
    if name == "Origin":
        present = [key for key in ORIGINS.values() if _present(item, key, field)]
        return present.index(field) + 1, len(present)
    if name == "GovernmentProcedure":
        requested = 1 if wire.get("procedure") is not None or field == "procedure" else 0
        position = index + 1 + requested if field == "additional_procedures" else 1
        count = requested + len(item.get("additional_procedures") or [])
        return position, max(count, position)
    return 1, 1


def element_of(pointer: str, wire: dict[str, Any]) -> str | None:
    """The element path (``Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/...``, with
    the position of each repeatable element) that carries the wire field, as Clearway writes
    the declaration; ``None`` for a field without an element."""
    steps = _located(pointer, wire)
    if steps is None:
        return None
    return "/".join(
        f"{name}[{position}]" if repeatable else name for name, position, _, repeatable, _ in steps
    )


def _located(
    pointer: str, wire: dict[str, Any]
) -> list[tuple[str, int, int, bool, int | None]] | None:
    """The element path as (name, position, count, repeatable, own sequence number)."""
    parts = _parts(pointer)
    template = _template(parts)
    if template is None:
        return None
    element = TEMPLATES[template]
    place = _at(wire, ["incoterm", "place"])
    if (
        template == "/incoterm/place"
        and isinstance(place, str)
        and re.fullmatch(LOCODE_PATTERN, place)
    ):
        element = CODED_PLACE
    indices = [
        (int(part), parts[:position]) for position, part in enumerate(parts) if part.isdigit()
    ]
    in_items = template.startswith("/items/*")
    item_index = int(parts[1]) if in_items else 0
    listed_items = wire.get("items")
    items: list[Any] = listed_items if isinstance(listed_items, list) else []
    found = items[item_index] if item_index < len(items) else None
    item: dict[str, Any] = found if isinstance(found, dict) else {}
    field = (
        "procedure"
        if template == "/procedure"
        else (parts[2] if in_items and len(parts) > 2 else "")
    )
    field_index = int(parts[3]) if in_items and len(parts) > 3 and parts[3].isdigit() else 0
    if in_items:
        indices = indices[1:]
    located: list[tuple[str, int, int, bool, int | None]] = []
    path = ""
    for name in element.split("/"):
        path = f"{path}/{name}" if path else name
        repeatable = rule(path).repeatable
        position, count, own = 1, 1, None
        if name == "GovernmentAgencyGoodsItem":
            position, count = item_index + 1, max(len(items), item_index + 1)
            own = item.get("sequence") if isinstance(item.get("sequence"), int) else position
        elif name in IN_ITEM:
            position, count = _in_item(name, item, field, field_index, wire)
            if field in (*FEE_LISTS, *CLASSIFICATION_LISTS.values(), "additional_procedures"):
                indices = indices[1:]
            own = 1 if name == "Packaging" else None
        elif repeatable and indices:
            index, prefix = indices.pop(0)
            listed = _at(wire, prefix)
            position, count = (
                index + 1,
                max(len(listed) if isinstance(listed, list) else 0, index + 1),
            )
            if name in NUMBERED:
                entry = listed[index] if isinstance(listed, list) and index < len(listed) else None
                own = (
                    entry.get("sequence")
                    if isinstance(entry, dict) and isinstance(entry.get("sequence"), int)
                    else position
                )
        located.append((name, position, count, repeatable, own))
    return located


def pointer_steps(json_pointer: str, wire: dict[str, Any]) -> tuple[PointerStep, ...]:
    """The DMS ``Pointer`` to the element carrying the wire field at ``json_pointer``.

    ``wire`` is the declaration the pointer is into (its items' sequence numbers and how many
    of each repeated element it has). Raises ``ValueError`` for a pointer to no wire field.
    """
    parts = _parts(json_pointer)
    while _template(parts) is None:
        if not WITHOUT_ELEMENT.match(_shape(parts)):
            raise ValueError(f"{json_pointer} is not a field of the wire declaration")
        parts = parts[:-1]
    pointer = "".join(f"/{part.replace('~', '~0').replace('/', '~1')}" for part in parts)
    located = _located(pointer, wire)
    assert located is not None
    steps: list[PointerStep] = []
    path = ""
    for name, position, count, repeatable, own in located:
        path = f"{path}/{name}" if path else name
        element = rule(path)
        if not element.is_class and steps:
            last = steps[-1]
            steps[-1] = PointerStep(
                last.sequence_numeric, last.document_section_code, element.wco_id
            )
            break
        sequence = own if own is not None else (position if repeatable and count > 1 else None)
        steps.append(PointerStep(sequence, element.wco_id or "", None))
    return tuple(steps)

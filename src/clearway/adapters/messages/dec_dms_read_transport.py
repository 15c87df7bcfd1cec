"""Transport of a DEC-DMS declaration as the wire's transport fields.

The active means of transport crossing the border (DE 7/4 mode, 7/14 identity, 7/15
nationality), the container indicator (7/2), the means on arrival or at departure (7/9, 7/7 and
the inland mode 7/5), transport equipment and seals (7/10, 7/18), the countries of routing
(5/10) and the method of payment for transport charges (4/2).
"""

from __future__ import annotations

from lxml import etree

from clearway.adapters.messages.dec_dms_codes import MODE_WORDS, DecDmsUnmappable, element_path
from clearway.adapters.messages.dec_dms_fields import BORDER_MEANS, INLAND_MEANS, TRANSPORT_MEANS
from clearway.adapters.messages.dec_dms_reading import Reading, Wire, put_list


def _mode(reading: Reading, means: etree._Element | None, at: str) -> str | None:
    """A mode of transport (UN/ECE Recommendation 19 digit) as the wire's word."""
    element = None if means is None else reading.find(means, "ModeCode")
    digit = None if element is None else (element.text or "").strip()
    if element is None or not digit:
        return None
    if digit not in MODE_WORDS:
        raise DecDmsUnmappable(element_path(element), f"transport mode {digit} has no wire word")
    reading.note(at, element)
    return MODE_WORDS[digit]


def _by_sequence(reading: Reading, elements: list[etree._Element]) -> list[etree._Element]:
    return sorted(elements, key=lambda element: int(reading.text(element, "SequenceNumeric") or 0))


def _equipment(reading: Reading, consignment: etree._Element) -> list[Wire]:
    """Containers and other equipment (DE 7/10) with their seal numbers (7/18)."""
    equipment: list[Wire] = []
    for element in reading.findall(consignment, "TransportEquipment"):
        at = f"/equipment/{len(equipment)}"
        entry = reading.fields(element, at, {"sequence": "SequenceNumeric", "id": "ID"})
        seals: list[str] = []
        for seal in _by_sequence(reading, reading.findall(element, "Seal")):
            number = reading.text(seal, "ID", f"{at}/seals/{len(seals)}")
            if number is not None:
                seals.append(number)
        put_list(entry, "seals", seals)
        reading.note(at, element)
        equipment.append(entry)
    return equipment


def read_transport(
    reading: Reading, declaration: etree._Element, wire: Wire, *, export: bool
) -> None:
    """Put the transport fields into ``wire``.

    When the border mode is not given, the mode on arrival (imports) or at departure
    (exports) stands for it; the border means' identity is never taken from them. A
    declaration that states no transport at all (types F and Q may not) has no ``transport``.
    """
    for key, path in INLAND_MEANS.items():
        element = reading.find(declaration, path)
        if element is not None:
            means = reading.fields(element, f"/{key}", TRANSPORT_MEANS)
            mode = _mode(reading, element, f"/{key}/mode")
            if mode is not None:
                means["mode"] = mode
                reading.note(f"/{key}", element)
            if means:
                wire[key] = means
    border = reading.find(declaration, "BorderTransportMeans")
    transport = {} if border is None else reading.fields(border, "/transport", BORDER_MEANS)
    mode = _mode(reading, border, "/transport/mode")
    inland = "departure_transport" if export else "arrival_transport"
    if mode is None and "mode" in wire.get(inland, {}):
        mode = wire[inland]["mode"]
        reading.sources["/transport/mode"] = reading.sources[f"/{inland}/mode"]
    if mode is not None:
        transport["mode"] = mode
    if border is not None:
        reading.note("/transport", border)
    consignment = reading.find(declaration, "GoodsShipment/Consignment")
    if consignment is not None:
        container = reading.text(consignment, "ContainerCode", "/transport/container")
        if container not in (None, "0", "1"):
            raise DecDmsUnmappable(
                reading.sources["/transport/container"], f"container indicator {container!r}"
            )
        if container is not None:
            transport["container"] = container == "1"
        put_list(wire, "equipment", _equipment(reading, consignment))
    if transport:
        wire["transport"] = transport
    countries: list[str] = []
    for stop in _by_sequence(reading, reading.findall(declaration, "Consignment/Itinerary")):
        country = reading.text(stop, "RoutingCountryCode", f"/routing_countries/{len(countries)}")
        if country is not None:
            countries.append(country)
    put_list(wire, "routing_countries", countries)

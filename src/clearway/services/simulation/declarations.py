"""One declaration at a time: a UK import or export in the JSON wire format, with its parties,
procedure, office, transport, Incoterm, invoice, freight and insurance; suspicious ones have one
item undervalued or of an unusual origin, or a first-time trader."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from clearway.domain.incoterms import INCOTERMS_2020
from clearway.services.simulation.draws import Weighted, ranked
from clearway.services.simulation.flow import Flow
from clearway.services.simulation.goods import basket, certificate, item
from clearway.services.simulation.money import NATIONAL_CURRENCY, cents, money
from clearway.services.simulation.transport import means, route, transport_document

Payload = dict[str, Any]

INVOICE_AGE_DAYS = 60
PREFERENCE_CLAIM_SHARE = 0.6
CONTROLLED_EXPORT_SHARE = 0.6
MINIMUM_FREIGHT_USD = 150.0
IMPORT_PROCEDURES = {"4000": 80, "4071": 7, "5100": 8, "7100": 5}
EXPORT_PROCEDURES = {"1000": 80, "1040": 8, "3151": 7, "2300": 5}
# Only a release for free circulation can claim a tariff preference.
PREFERENCE_PROCEDURES = frozenset({"4000", "4071"})
SEA_INCOTERMS = {
    "FOB": 30,
    "CIF": 20,
    "CFR": 12,
    "FCA": 12,
    "DAP": 10,
    "EXW": 6,
    "CPT": 4,
    "FAS": 2,
}
OTHER_INCOTERMS = {"FCA": 30, "DAP": 25, "EXW": 15, "CPT": 15, "CIP": 8, "DPU": 4}
EXPORT_OTHER_INCOTERMS = {**OTHER_INCOTERMS, "DDP": 3}
FREIGHT_USD_PER_KG = {
    "sea": (0.08, 0.25),
    "road": (0.12, 0.3),
    "rail": (0.15, 0.35),
    "air": (2.5, 6.0),
}
_IMPORT_PROCEDURES = Weighted(IMPORT_PROCEDURES.items())
_EXPORT_PROCEDURES = Weighted(EXPORT_PROCEDURES.items())
_SEA_INCOTERMS = Weighted(SEA_INCOTERMS.items())
_OTHER_INCOTERMS = Weighted(OTHER_INCOTERMS.items())
_EXPORT_OTHER_INCOTERMS = Weighted(EXPORT_OTHER_INCOTERMS.items())


def import_declaration(flow: Flow, suspicion: str | None) -> Payload:
    rng, catalogue = flow.rng, flow.catalogue
    importer = flow.trader(flow.importers, first_time=suspicion == "new_trader")
    candidates = flow.imports[importer.sector]
    first = rng.choice(candidates)
    origin = ranked(first.origins).pick(rng)
    mode, dispatch = route(flow, first, origin, ranked(first.modes).pick(rng))
    products = basket(flow, first, candidates, mode, origin)
    seller = flow.partner(importer, dispatch)
    local = catalogue.countries[dispatch].currency
    currency = flow.currency(local if local == "EUR" or rng.random() < 0.3 else "USD")
    invoice = flow.invoice_number(seller.name)
    procedure = _IMPORT_PROCEDURES.pick(rng)
    odd_one = rng.randrange(len(products)) if suspicion else -1
    quoted_transport_document = transport_document(rng, mode)
    goods = []
    for index, product in enumerate(products):
        item_origin = origin
        if suspicion == "unusual_origin" and index == odd_one:
            item_origin = rng.choice(catalogue.unusual_origins)
        undervalued = suspicion == "undervalued" and index == odd_one
        goods_item, amount, gross = item(
            flow,
            index + 1,
            product,
            item_origin,
            mode,
            invoice,
            currency,
            importer.name,
            undervalued,
        )
        documents = goods_item["documents"]
        if quoted_transport_document:
            documents.append(quoted_transport_document)
        documents.extend(
            {"type": kind, "reference": certificate(rng, kind, item_origin, flow.start.year)}
            for kind in product.import_documents
        )
        if (
            procedure in PREFERENCE_PROCEDURES
            and item_origin in catalogue.fta_partners
            and rng.random() < PREFERENCE_CLAIM_SHARE
        ):
            goods_item["preference"] = "300"
            statement = f"{item_origin}-SOO-{flow.start.year}-{rng.randint(1, 99999):05d}"
            documents.append({"type": "U162", "reference": statement})
        goods.append((goods_item, amount, gross))
    declarant = importer.broker or importer
    incoterm = (_SEA_INCOTERMS if mode == "sea" else _OTHER_INCOTERMS).pick(rng)
    office = flow.offices[mode].pick(rng)
    place = incoterm_place(
        incoterm,
        seller=seller.city,
        buyer=importer.town,
        loading=rng.choice(catalogue.countries[dispatch].ports),
        discharge=flow.office_places[office],
    )
    payload: Payload = {
        "type": "IM",
        "procedure": procedure,
        "lrn": flow.lrn(declarant),
        "declarant": declarant.declarant(),
        "importer": importer.party(),
        "exporter": seller.party(),
        "office": office,
        "dispatch_country": dispatch,
        "destination_country": "GB",
        "transport": means(flow, mode, dispatch, products),
        "incoterm": {"code": incoterm, "place": place},
    }
    return add_money(
        flow, payload, invoice, currency, goods, declare_freight=0.1, declare_insurance=0.25
    )


def export_declaration(flow: Flow, suspicion: str | None) -> Payload:
    rng = flow.rng
    exporter = flow.trader(flow.exporters, first_time=suspicion == "new_trader")
    candidates = flow.exports[exporter.sector]
    first = rng.choice(candidates)
    destination = flow.export_markets.pick(rng)
    mode, _ = route(flow, first, destination, ranked(first.modes).pick(rng))
    products = basket(flow, first, candidates, mode)
    buyer = flow.partner(exporter, destination)
    currency = flow.currency(export_currency(flow, destination))
    invoice = flow.invoice_number(exporter.name)
    licence = f"GBSIEL/{flow.start.year}/{rng.randint(1, 9_999_999):07d}"
    odd_one = rng.randrange(len(products)) if suspicion == "undervalued" else -1
    goods = []
    for index, product in enumerate(products):
        goods.append(
            item(
                flow,
                index + 1,
                product,
                "GB",
                mode,
                invoice,
                currency,
                buyer.name,
                undervalued=index == odd_one,
            )
        )
        if product.control and rng.random() < CONTROLLED_EXPORT_SHARE:
            goods_item = goods[-1][0]
            goods_item["control"] = {"list": "dual-use", "entry": product.control}
            goods_item["documents"].append({"type": "X002", "reference": licence})
    declarant = exporter.broker or exporter
    incoterm = (_SEA_INCOTERMS if mode == "sea" else _EXPORT_OTHER_INCOTERMS).pick(rng)
    office = flow.offices[mode].pick(rng)
    place = incoterm_place(
        incoterm,
        seller=exporter.town,
        buyer=buyer.city,
        loading=flow.office_places[office],
        discharge=rng.choice(flow.catalogue.countries[destination].ports),
    )
    payload: Payload = {
        "type": "EX",
        "procedure": _EXPORT_PROCEDURES.pick(rng),
        "lrn": flow.lrn(declarant),
        "declarant": declarant.declarant(),
        "exporter": exporter.party(),
        "consignee": buyer.party(),
    }
    if any("control" in goods_item for goods_item, _, _ in goods):
        payload["end_user"] = buyer.party()
    payload |= {
        "office": office,
        "destination_country": destination,
        "transport": means(flow, mode, destination, products),
        "incoterm": {"code": incoterm, "place": place},
    }
    return add_money(
        flow, payload, invoice, currency, goods, declare_freight=0.3, declare_insurance=0.1
    )


def add_money(
    flow: Flow,
    payload: Payload,
    invoice: str,
    currency: str,
    goods: list[tuple[Payload, int, float]],
    *,
    declare_freight: float,
    declare_insurance: float,
) -> Payload:
    """Add the invoice, freight and insurance when declared (freight when it must be), items."""
    rng = flow.rng
    total = sum(amount for _, amount, _ in goods)
    issued = flow.start - timedelta(days=rng.randint(0, INVOICE_AGE_DAYS))
    payload["invoice"] = {
        "number": invoice,
        "currency": currency,
        "amount": money(total),
        "date": issued.isoformat(),
    }
    term = INCOTERMS_2020[payload["incoterm"]["code"]]
    # WTO Valuation Agreement Art. 8.2(a): a price without the main carriage needs freight.
    freight_excluded = payload["type"] == "IM" and not term.includes_main_carriage
    if freight_excluded or rng.random() < declare_freight:
        freight_currency = flow.currency(rng.choice((currency, currency, currency, "USD")))
        per_kg = rng.uniform(*FREIGHT_USD_PER_KG[payload["transport"]["mode"]])
        usd = max(MINIMUM_FREIGHT_USD, per_kg * sum(gross for _, _, gross in goods))
        freight = cents(usd * flow.usd_to[freight_currency], freight_currency)
        payload["freight"] = {"currency": freight_currency, "amount": money(freight)}
    if rng.random() < (0.5 if term.includes_insurance else declare_insurance):
        premium = min(total, cents(total / 100 * rng.uniform(0.001, 0.005), currency))
        payload["insurance"] = {"currency": currency, "amount": money(premium)}
    payload["items"] = [goods_item for goods_item, _, _ in goods]
    return payload


def incoterm_place(code: str, *, seller: str, buyer: str, loading: str, discharge: str) -> str:
    """The place an Incoterm names: the seller's, the port of loading or discharge, the buyer's."""
    if code in ("EXW", "FCA"):
        return seller
    if code in ("FAS", "FOB"):
        return loading
    if code in ("CFR", "CIF"):
        return discharge
    return buyer


def export_currency(flow: Flow, destination: str) -> str | None:
    """The currency an exporter would like to invoice in; ``flow.currency`` says if it can."""
    draw = flow.rng.random()
    if draw < 0.45:
        return NATIONAL_CURRENCY
    if draw < 0.7:
        return "EUR" if destination in flow.catalogue.euro_area else "USD"
    return flow.catalogue.countries[destination].currency if draw < 0.8 else "USD"

"""The synthetic trade flow: valid where asked, broken where asked, shaped like UK trade."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from clearway.adapters.reference_files import shipped_reference
from clearway.domain.reference import ReferenceData
from clearway.domain.rules import RuleContext, Violation, validate
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.simulation import simulate
from clearway.services.simulation.catalogue import load_catalogue
from clearway.services.simulation.faults import BREAKABLE_RULES
from clearway.services.simulation.traders import uk_firms

PRODUCTS = load_catalogue().products
FTA_PARTNERS = load_catalogue().fta_partners

START = date(2026, 6, 1)
GB_EORI = re.compile(r"^GB\d{12}$")
MONEY = re.compile(r"^\d+\.\d{2}$")
PRODUCT_BY_CODE = {product.commodity_code: product for product in PRODUCTS}
Payload = dict[str, Any]


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return shipped_reference()


@pytest.fixture(scope="module")
def context(reference: ReferenceData) -> RuleContext:
    return RuleContext(reference, "GB", "GBP", START)


@pytest.fixture(scope="module")
def good(reference: ReferenceData) -> list[Payload]:
    return list(simulate(2000, 42, reference=reference, start=START))


@pytest.fixture(scope="module")
def suspicious(reference: ReferenceData) -> list[Payload]:
    return list(simulate(1000, 43, reference=reference, suspicious_share=0.3, start=START))


def violations(payload: Payload, context: RuleContext) -> list[Violation]:
    """Rule violations; parsing raises if the payload does not fit the wire schema."""
    return validate(parse_declaration(payload).declaration, context)


def items(payloads: list[Payload], kind: str | None = None) -> list[Payload]:
    return [item for p in payloads if kind in (None, p["type"]) for item in p["items"]]


def usd_per_kg(payload: Payload, item: Payload, reference: ReferenceData) -> float:
    """The item's unit value in US dollars per kg, at the rates of the start date."""
    currency = payload["invoice"]["currency"]
    gbp = Decimal(item["invoice_amount"]) * (reference.rates.rate(currency, START) or Decimal(1))
    usd_rate = reference.rates.rate("USD", START)
    assert usd_rate is not None
    return float(gbp / usd_rate / Decimal(item["net_mass_kg"]))


def cheapest_usd_per_kg(item: Payload) -> float:
    return PRODUCT_BY_CODE[item["commodity_code"]].usd_per_kg[0]


def test_the_same_arguments_give_the_same_declarations(reference: ReferenceData) -> None:
    def run(seed: int) -> list[Payload]:
        return list(
            simulate(
                300, seed, reference=reference, bad_share=0.2, suspicious_share=0.2, start=START
            )
        )

    assert run(7) == run(7)
    assert run(7) != run(8)


def test_the_declarations_do_not_depend_on_the_string_hash_seed() -> None:
    script = (
        "import hashlib, json, datetime\n"
        "from clearway.adapters.reference_files import shipped_reference\n"
        "from clearway.services.simulation import simulate\n"
        "flow = simulate(300, 5, reference=shipped_reference(), bad_share=0.2,\n"
        "                suspicious_share=0.2, start=datetime.date(2026, 6, 1))\n"
        "print(hashlib.sha256(json.dumps(list(flow)).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1


def test_good_declarations_parse_and_break_no_rule(
    good: list[Payload], context: RuleContext
) -> None:
    broken = {p["lrn"]: violations(p, context) for p in good if violations(p, context)}
    assert broken == {}


def test_a_fifth_of_declarations_break_rules_when_asked(
    reference: ReferenceData, context: RuleContext
) -> None:
    flow = list(simulate(1000, 3, reference=reference, bad_share=0.2, start=START))
    share_broken = sum(bool(violations(p, context)) for p in flow) / len(flow)
    assert 0.15 <= share_broken <= 0.25


def test_every_bad_declaration_parses_and_the_rules_broken_vary(
    reference: ReferenceData, context: RuleContext
) -> None:
    found = [
        violations(p, context)
        for p in simulate(1000, 4, reference=reference, bad_share=1.0, start=START)
    ]
    assert all(found)
    assert {violation.code for found_here in found for violation in found_here} >= set(
        BREAKABLE_RULES
    )


def test_about_seventy_percent_are_imports(good: list[Payload]) -> None:
    imports = sum(p["type"] == "IM" for p in good) / len(good)
    assert 0.65 <= imports <= 0.75


def test_imports_come_from_abroad_to_a_gb_importer(good: list[Payload]) -> None:
    imports = [p for p in good if p["type"] == "IM"]
    assert all(p["destination_country"] == "GB" for p in imports)
    assert all(p["dispatch_country"] != "GB" for p in imports)
    assert all(GB_EORI.match(p["importer"]["id"]) for p in imports)
    assert all(p["exporter"]["address"]["country"] != "GB" for p in imports)
    assert Counter(p["procedure"] for p in imports).most_common(1)[0][0] == "4000"


def test_exports_go_abroad_from_a_gb_exporter(good: list[Payload]) -> None:
    exports = [p for p in good if p["type"] == "EX"]
    assert all(p["destination_country"] != "GB" for p in exports)
    assert all(GB_EORI.match(p["exporter"]["id"]) for p in exports)
    assert all(p["consignee"]["address"]["country"] == p["destination_country"] for p in exports)
    assert Counter(p["procedure"] for p in exports).most_common(1)[0][0] == "1000"


def test_traders_recur_and_brokers_lodge_for_many(good: list[Payload]) -> None:
    importers = Counter(p["importer"]["id"] for p in good if p["type"] == "IM")
    assert importers.most_common(1)[0][1] >= 20
    clients: dict[str, set[str]] = {}
    for p in good:
        trader = p["importer"] if p["type"] == "IM" else p["exporter"]
        clients.setdefault(p["declarant"]["id"], set()).add(trader["id"])
    assert max(len(traders) for traders in clients.values()) >= 10
    self_declared = sum(
        p["declarant"]["id"] == (p.get("importer") or p["exporter"])["id"] for p in good
    )
    assert 0.1 <= self_declared / len(good) <= 0.6


def test_lrns_are_unique_per_declarant(good: list[Payload]) -> None:
    keys = [(p["declarant"]["id"], p["lrn"]) for p in good]
    assert len(set(keys)) == len(keys)


def test_item_amounts_add_up_to_the_invoice_in_decimal_strings(good: list[Payload]) -> None:
    for p in good:
        assert MONEY.match(p["invoice"]["amount"])
        assert all(MONEY.match(item["invoice_amount"]) for item in p["items"])
        total = sum((Decimal(item["invoice_amount"]) for item in p["items"]), Decimal(0))
        assert total == Decimal(p["invoice"]["amount"]), p["lrn"]


def test_gross_mass_is_two_to_fifteen_percent_over_net(good: list[Payload]) -> None:
    for item in items(good):
        assert isinstance(item["net_mass_kg"], str)
        ratio = Decimal(item["gross_mass_kg"]) / Decimal(item["net_mass_kg"])
        assert Decimal("1.0") <= ratio <= Decimal("1.16"), item


def test_commodity_codes_extend_real_hs_subheadings(
    good: list[Payload], reference: ReferenceData
) -> None:
    codes = {item["commodity_code"] for item in items(good)}
    assert all(len(code) == 10 and reference.extends_hs_subheading(code) for code in codes)
    assert len(PRODUCTS) >= 60
    assert len({product.commodity_code[:2] for product in PRODUCTS}) >= 25
    assert len({code[:2] for code in codes}) >= 25


def test_invoices_are_dated_in_the_sixty_days_up_to_the_start(good: list[Payload]) -> None:
    dates = {date.fromisoformat(p["invoice"]["date"]) for p in good}
    assert min(dates) == START - timedelta(days=60)
    assert max(dates) == START


def test_items_quote_the_invoice_and_preferences_their_proof(good: list[Payload]) -> None:
    for p in good:
        for item in p["items"]:
            assert item["documents"][0] == {"type": "N380", "reference": p["invoice"]["number"]}
            if "preference" in item:
                assert p["type"] == "IM" and item["origin_country"] in FTA_PARTNERS
                assert "U162" in {document["type"] for document in item["documents"]}
    assert sum("preference" in item for item in items(good, "IM")) > 100


def test_controlled_exports_name_the_end_user_and_the_licence(good: list[Payload]) -> None:
    controlled = [p for p in good if any("control" in item for item in p["items"])]
    assert controlled
    for p in controlled:
        assert p["type"] == "EX" and p["end_user"] == p["consignee"]
        for item in p["items"]:
            if "control" in item:
                assert "X002" in {document["type"] for document in item["documents"]}


def test_currencies_are_mostly_dollars_euros_and_yuan(good: list[Payload]) -> None:
    currencies = Counter(p["invoice"]["currency"] for p in good if p["type"] == "IM")
    major = currencies["USD"] + currencies["EUR"] + currencies["CNY"]
    assert major / currencies.total() >= 0.75
    assert len(currencies) >= 10


def test_good_declarations_are_priced_and_sourced_as_the_catalogue_says(
    good: list[Payload], reference: ReferenceData
) -> None:
    for p in good:
        for item in p["items"]:
            product = PRODUCT_BY_CODE[item["commodity_code"]]
            assert usd_per_kg(p, item, reference) >= cheapest_usd_per_kg(item) * 0.9
            if p["type"] == "IM":
                assert item["origin_country"] in product.origins


def test_suspicious_declarations_are_valid_but_undervalued_odd_or_new(
    suspicious: list[Payload], context: RuleContext, reference: ReferenceData
) -> None:
    assert all(not violations(p, context) for p in suspicious)
    undervalued = [
        item
        for p in suspicious
        for item in p["items"]
        if usd_per_kg(p, item, reference) < cheapest_usd_per_kg(item) / 2
    ]
    odd_origin = [
        item
        for item in items(suspicious, "IM")
        if item["origin_country"] not in PRODUCT_BY_CODE[item["commodity_code"]].origins
    ]
    pool = {firm.eori for firm in uk_firms()[0]}
    new_traders = [p for p in suspicious if (p.get("importer") or p["exporter"])["id"] not in pool]
    assert len(undervalued) >= 50
    assert len(odd_origin) >= 50
    assert len(new_traders) >= 50


@pytest.mark.parametrize(("bad_share", "suspicious_share"), [(-0.1, 0), (1.5, 0), (0.6, 0.5)])
def test_shares_outside_zero_to_one_are_refused(
    reference: ReferenceData, bad_share: float, suspicious_share: float
) -> None:
    with pytest.raises(ValueError, match="share"):
        simulate(10, 1, reference=reference, bad_share=bad_share, suspicious_share=suspicious_share)

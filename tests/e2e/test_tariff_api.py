"""The tariff through the HTTP API: duty quotes, a commodity's measures, and the assessment of a
lodged import declaration, on each database.

The test databases hold the shipped illustrative tariff for GB. For cherry tomatoes
(0702000007) it has: 103 third-country duty 8%, 142 preference for MA Free, 143 tariff quota
051104 for MA Free (2,000,000 kg balance for 2026), 305 VAT 0% and 360 phytosanitary control
requiring document N851.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.conftest import example

QUOTE = "/api/v1/duty/quote"
PROBLEM_JSON = "application/problem+json"
PENNY = Decimal("0.01")


def tomatoes(**changes: Any) -> dict[str, Any]:
    """A quote item: 16,000 kg of cherry tomatoes from Morocco, customs value £16,950.03."""
    item: dict[str, Any] = {
        "commodity_code": "0702000007",
        "origin": "MA",
        "date": "2026-11-23",
        "customs_value": "16950.03",
        "quantities": [{"amount": "16000", "unit": "KGM"}],
    }
    item.update(changes)
    return item


def by_type(options: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The options keyed by type (each type appears once for tomatoes from MA)."""
    keyed = {option["type"]: option for option in options}
    assert len(keyed) == len(options), [option["type"] for option in options]
    return keyed


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("urn:clearway:problem:")
    assert problem["title"].strip() and problem["detail"].strip()
    return problem


def test_quote_gives_every_option_for_tomatoes_from_morocco(api: Any) -> None:
    response = api.post(QUOTE, json={"items": [tomatoes()]}, headers=api.as_("broker"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["currency"] == "GBP"
    (item,) = body["items"]
    assert item["sequence"] == 1
    assert item["commodity_code"] == "0702000007"
    assert item["origin"] == "MA"
    assert item["date"] == "2026-11-23"
    assert item["customs_value"] == "16950.03"
    options = by_type(item["options"])
    assert set(options) == {"third_country", "preference", "quota"}

    third = options["third_country"]
    assert third["measure_type"] == "103"
    # 8% of 16950.03 = 1356.0024 -> 1356.00; VAT 305 at 0% -> 0.00
    assert [
        (line["measure_type"], line["expression"], line["amount"]) for line in third["lines"]
    ] == [("103", "8%", "1356.00")]
    assert (third["duty"], third["vat"], third["total"]) == ("1356.00", "0.00", "1356.00")
    assert third["vat_line"]["measure_type"] == "305"
    assert third["vat_line"]["expression"] == "0%"
    assert third["currency"] == "GBP"

    preference = options["preference"]
    assert preference["measure_type"] == "142"
    assert preference["geographical_area"] == "MA"
    assert (preference["duty"], preference["vat"], preference["total"]) == ("0.00", "0.00", "0.00")

    quota = options["quota"]
    assert quota["measure_type"] == "143"
    assert quota["order_number"] == "051104"
    assert quota["available"] is True
    assert (quota["duty"], quota["vat"], quota["total"]) == ("0.00", "0.00", "0.00")

    # The phytosanitary control (360) asks for N851, which this quote does not hold.
    (phyto,) = [r for r in item["requirements"] if r["measure_type"] == "360"]
    assert phyto["documents"] == ["N851"]
    assert phyto["satisfied"] is False


def test_quote_applies_the_claimed_preference(api: Any) -> None:
    without = api.post(QUOTE, json={"items": [tomatoes()]}, headers=api.as_("broker")).json()
    # No claim: the goods pay the third-country duty.
    assert without["items"][0]["applied"]["type"] == "third_country"
    assert without["items"][0]["applied"]["duty"] == "1356.00"

    item = tomatoes(preference="300", documents=["N851", "U162"])
    response = api.post(QUOTE, json={"items": [item]}, headers=api.as_("broker"))
    assert response.status_code == 200, response.text
    (quoted,) = response.json()["items"]
    applied = quoted["applied"]
    assert applied["type"] == "preference"
    assert applied["measure_type"] == "142"
    assert (applied["duty"], applied["vat"], applied["total"]) == ("0.00", "0.00", "0.00")
    (phyto,) = [r for r in quoted["requirements"] if r["measure_type"] == "360"]
    assert phyto["satisfied"] is True
    # every option is still shown beside the applied one
    assert by_type(quoted["options"])["third_country"]["duty"] == "1356.00"


def test_quote_from_value_freight_and_insurance(api: Any) -> None:
    # value + freight + insurance = 15000 + 1800.50 + 149.53 = 16950.03, as above
    item = tomatoes(value="15000", freight="1800.50", insurance="149.53")
    del item["customs_value"]
    response = api.post(QUOTE, json={"items": [item]}, headers=api.as_("broker"))
    assert response.status_code == 200, response.text
    (quoted,) = response.json()["items"]
    assert quoted["customs_value"] == "16950.03"
    assert by_type(quoted["options"])["third_country"]["duty"] == "1356.00"


def test_quote_of_an_unknown_commodity_points_at_it(api: Any) -> None:
    response = api.post(
        QUOTE,
        json={"items": [tomatoes(), tomatoes(commodity_code="9999999999")]},
        headers=api.as_("broker"),
    )
    problem = assert_problem(response, 422)
    assert problem["instance"] == QUOTE
    pointers = [error["pointer"] for error in problem["errors"]]
    assert pointers == ["/items/1/commodity_code"]
    (error,) = problem["errors"]
    assert "9999999999" in error["detail"]
    assert "not in the tariff" in error["detail"]

    alone = api.post(
        QUOTE, json={"items": [tomatoes(commodity_code="9999999999")]}, headers=api.as_("broker")
    )
    problem = assert_problem(alone, 422)
    assert [error["pointer"] for error in problem["errors"]] == ["/items/0/commodity_code"]


def test_quote_needs_credentials_and_a_known_shape(api: Any) -> None:
    anonymous = api.post(QUOTE, json={"items": [tomatoes()]})
    assert_problem(anonymous, 401)

    unknown_field = api.post(
        QUOTE, json={"items": [tomatoes(colour="red")]}, headers=api.as_("broker")
    )
    problem = assert_problem(unknown_field, 422)
    assert any(error["pointer"] == "/items/0/colour" for error in problem["errors"]), problem

    top_level = api.post(
        QUOTE, json={"items": [tomatoes()], "rush": True}, headers=api.as_("broker")
    )
    assert_problem(top_level, 422)


def test_commodity_measures_for_an_origin(api: Any) -> None:
    response = api.get(
        "/api/v1/tariff/commodities/0702000007",
        params={"date": "2026-11-23", "origin": "MA"},
        headers=api.as_("broker"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["commodity_code"] == "0702000007"
    assert body["date"] == "2026-11-23"
    assert body["origin"] == "MA"
    assert body["jurisdiction"] == "GB"
    measures = body["measures"]
    assert {m["measure_type"] for m in measures} == {"103", "142", "143", "305", "360"}
    expressions = {(m["measure_type"], m["duty_expression"]) for m in measures}
    assert ("103", "8%") in expressions
    (quota,) = [m for m in measures if m["measure_type"] == "143"]
    assert quota["order_number"] == "051104"
    assert quota["geographical_area"] == "MA"
    (phyto,) = [m for m in measures if m["measure_type"] == "360"]
    assert [c["document"] for c in phyto["conditions"] if c["document"]] == ["N851"]
    # Turkey's 4% preference is another origin's and is not listed for MA.
    assert all(m["geographical_area"] != "TR" for m in measures)


def test_unknown_commodity_is_not_found(api: Any) -> None:
    response = api.get(
        "/api/v1/tariff/commodities/9999999999",
        params={"date": "2026-11-23"},
        headers=api.as_("broker"),
    )
    problem = assert_problem(response, 404)
    assert "9999999999" in problem["detail"]


def test_lodged_import_is_assessed_with_the_claimed_preference(
    lodge: Callable[..., Any],
) -> None:
    response = lodge(example("import"))
    assert response.status_code == 201, response.text
    lodged = response.json()
    assert lodged["status"] == "held"
    assessment = lodged["assessment"]
    assert assessment["currency"] == "GBP"
    (item,) = assessment["items"]
    assert item["sequence"] == 1
    assert item["commodity_code"] == "0702000007"
    assert item["origin"] == "MA"

    # The example claims preference 300 from MA: the 142 preference (Free) is applied.
    applied = item["applied"]
    assert applied["type"] == "preference"
    assert applied["measure_type"] == "142"
    assert (applied["duty"], applied["vat"], applied["total"]) == ("0.00", "0.00", "0.00")
    assert (assessment["duty"], assessment["vat"], assessment["total"]) == ("0.00", "0.00", "0.00")

    # The third-country option: 8% of the item's customs value, rounded half-up to the penny.
    customs_value = Decimal(lodged["valuation"]["items"][0]["customs_value"])
    assert customs_value.quantize(PENNY, ROUND_HALF_UP) == Decimal("16950.03")
    third = by_type(item["options"])["third_country"]
    expected = (customs_value * Decimal("0.08")).quantize(PENNY, ROUND_HALF_UP)
    assert third["duty"] == str(expected) == "1356.00"

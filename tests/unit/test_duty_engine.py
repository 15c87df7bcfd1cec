"""The duty engine against real UK Trade Tariff commodity records.

Every expected figure is derived by hand from the fixture records in
``shared/data/uk-tariff/uk/commodities/*.json`` and the monthly EUR→GBP rates in
``shared/data/uk-tariff/xi/monetary_exchange_rates.json`` (2021-06: 0.85765, 2021-07: 0.8571).
Unrounded amounts are compared exactly; presented amounts are rounded half-up to the penny.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.domain.money import round_money
from clearway.domain.reference import RateTable
from clearway.domain.tariff.duty import assess_item
from clearway.domain.tariff.expressions import ToNational
from clearway.domain.tariff.measures import Geography, QuotaBalance
from clearway.domain.tariff.options import DutyItem, DutyOption, ItemAssessment, OptionKind
from clearway.domain.tariff.tariff import Tariff, UnknownCommodity
from clearway.domain.tariff.units import Quantities, QuantityRequired, Unit

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "uk-tariff"

JUNE = date(2021, 6, 1)
JULY = date(2021, 7, 15)
TOMATO_DAY = date(2021, 2, 15)
EUR_JUNE = Decimal("0.85765")
EUR_JULY = Decimal("0.8571")

BIODIESEL_2T = Quantities({Unit("TNE", "I"): Decimal(2)})
TOMATOES_500KG = Quantities({Unit("KGM"): Decimal(500)})


class Engine:
    """The GB tariff and the XI monthly rates, loaded once for the module."""

    def __init__(self) -> None:
        records = {r.jurisdiction: r for r in read_uk_directory(SHARED)}
        gb = records["GB"]
        self.tariff = Tariff(gb.measures, Geography(gb.areas, gb.members))
        self.rates = RateTable(records["XI"].rates)

    def to_national(self, on: date) -> ToNational:
        def convert(amount: Decimal, currency: str) -> Decimal:
            if currency == "GBP":
                return amount
            rate = self.rates.rate(currency, on)
            assert rate is not None, f"no {currency} rate on {on}"
            return amount * rate

        return convert

    def assess(
        self, item: DutyItem, quotas: Mapping[str, QuotaBalance] | None = None
    ) -> ItemAssessment:
        return assess_item(item, self.tariff, self.to_national(item.on), quotas)


@pytest.fixture(scope="module")
def engine() -> Engine:
    assert (SHARED / "uk" / "commodities").is_dir(), SHARED
    return Engine()


def only(assessment: ItemAssessment, kind: OptionKind) -> DutyOption:
    found = [o for o in assessment.options if o.kind is kind]
    assert len(found) == 1, [o.description for o in found]
    return found[0]


def amounts(option: DutyOption) -> dict[str, Decimal]:
    """Duty lines by measure type."""
    return {line.measure_type: line.amount for line in option.lines}


def ferro_alloy(
    origin: str, preference: str | None = None, quantities: Quantities = BIODIESEL_2T
) -> DutyItem:
    """7202118000, 1260.89 GBP, 2 t biodiesel, additional code C490, on 2021-06-01."""
    return DutyItem(
        commodity_code="7202118000",
        origin=origin,
        on=JUNE,
        customs_value=Decimal("1260.89"),
        quantities=quantities,
        additional_codes=frozenset({"C490"}),
        preference=preference,
    )


def tomatoes(
    origin: str, preference: str | None = None, documents: frozenset[str] = frozenset()
) -> DutyItem:
    """0702000007, 1000 GBP, 500 kg, on 2021-02-15."""
    return DutyItem(
        commodity_code="0702000007",
        origin=origin,
        on=TOMATO_DAY,
        customs_value=Decimal(1000),
        quantities=TOMATOES_500KG,
        documents=documents,
        preference=preference,
    )


# --- 1. ad valorem third-country duty with safeguard, anti-dumping and VAT -------------------


def test_third_country_ad_valorem_with_safeguard_anti_dumping_and_vat_for_china(
    engine: Engine,
) -> None:
    # CN is a member of 5050 (UK safeguard), not excluded from 552 (excludes CA, US).
    assessment = engine.assess(ferro_alloy("CN"))
    option = only(assessment, OptionKind.THIRD_COUNTRY)
    assert assessment.applied is option
    assert amounts(option) == {
        "103": Decimal("1260.89") * Decimal("2.7") / 100,  # 1260.89 x 2.7% = 34.04403
        "696": Decimal("315.2225"),  # 1260.89 x 25% = 315.2225
        "552": Decimal("288.20"),  # C490: 144.10 GBP/t biodiesel x 2 t = 288.20
    }
    assert amounts(option)["103"] == Decimal("34.04403")
    # duties 34.04403 + 315.2225 + 288.20 = 637.46653
    assert option.duty == Decimal("637.46653")
    # VAT (VTS 20%) on 1260.89 + 637.46653 = 1898.35653 → 379.671306
    assert option.vat is not None and option.vat.measure_type == "VTS"
    assert option.vat_amount == Decimal("379.671306")
    # total 637.46653 + 379.671306 = 1017.137836 → £1,017.14
    assert option.total == Decimal("1017.137836")
    assert round_money(option.total) == Decimal("1017.14")


def test_third_country_for_us_charges_us_retaliation_and_no_anti_dumping(engine: Engine) -> None:
    # 552 excludes US → no anti-dumping; 695 (US, 25%) applies; US is also listed in group 5050
    # in uk/geographical_areas.json, so the 696 safeguard applies as well.
    option = only(engine.assess(ferro_alloy("US")), OptionKind.THIRD_COUNTRY)
    assert amounts(option) == {
        "103": Decimal("34.04403"),  # 1260.89 x 2.7%
        "696": Decimal("315.2225"),  # 1260.89 x 25%
        "695": Decimal("315.2225"),  # 1260.89 x 25%
    }
    # VAT 20% x (1260.89 + 664.48903) = 20% x 1925.37903 = 385.075806
    assert option.vat_amount == Decimal("385.075806")
    assert option.total == Decimal("664.48903") + Decimal("385.075806")
    assert round_money(option.total) == Decimal("1049.56")  # 1049.564836


# --- 2. quota option drops the UK safeguard ----------------------------------------------------


def test_quota_option_omits_safeguard_that_third_country_option_charges(engine: Engine) -> None:
    assessment = engine.assess(ferro_alloy("CN"))
    quota = only(assessment, OptionKind.QUOTA)
    third = only(assessment, OptionKind.THIRD_COUNTRY)
    assert quota.order_number == "054003"
    assert "696" in amounts(third)
    assert "696" not in amounts(quota)
    assert amounts(quota) == {
        "122": Decimal("252.178"),  # 1260.89 x 20% = 252.178
        "552": Decimal("288.20"),  # 144.10 x 2
    }
    # VAT 20% x (1260.89 + 252.178 + 288.20) = 20% x 1801.268 = 360.2536
    assert quota.vat_amount == Decimal("360.2536")
    assert quota.total == Decimal("900.6316")  # 540.378 + 360.2536


# --- 3. suspension ---------------------------------------------------------------------------


def test_suspension_option_charges_zero_duty_plus_additional_duties(engine: Engine) -> None:
    assessment = engine.assess(ferro_alloy("CN", preference="118"))
    suspension = only(assessment, OptionKind.SUSPENSION)
    assert suspension.measure_type == "117"
    assert amounts(suspension) == {
        "117": Decimal(0),  # 1260.89 x 0%
        "696": Decimal("315.2225"),
        "552": Decimal("288.20"),
    }
    # VAT 20% x (1260.89 + 603.4225) = 20% x 1864.3125 = 372.8625
    assert suspension.vat_amount == Decimal("372.8625")
    # total 603.4225 + 372.8625 = 976.285 → half-up £976.29
    assert suspension.total == Decimal("976.285")
    assert round_money(suspension.total) == Decimal("976.29")
    # preference code 118 claims the suspension
    assert assessment.applied is suspension


# --- 4. specific duty in EUR per 100 kg at the monthly rate ---------------------------------


@pytest.mark.parametrize(
    "quantities",
    [Quantities({Unit("DTN"): Decimal(120)}), Quantities({Unit("KGM"): Decimal(12000)})],
    ids=["120 x 100 kg", "12000 kg"],
)
def test_specific_duty_in_euro_per_100kg_uses_the_monthly_rate(
    engine: Engine, quantities: Quantities
) -> None:
    def duty(on: date) -> Decimal:
        item = DutyItem("0103921100", "AR", on, Decimal(5000), quantities)
        return only(engine.assess(item), OptionKind.THIRD_COUNTRY).lines[0].amount

    # 2021-07-15: 35.10 x 120 x 0.8571 = 4212 x 0.8571 = 3610.1052 → £3,610.11
    july = duty(JULY)
    assert july == Decimal("35.10") * 120 * EUR_JULY == Decimal("3610.1052")
    assert round_money(july) == Decimal("3610.11")
    # 2021-06-10: 4212 x 0.85765 = 3612.4218 → £3,612.42
    june = duty(date(2021, 6, 10))
    assert june == Decimal("35.10") * 120 * EUR_JUNE == Decimal("3612.4218")
    assert round_money(june) == Decimal("3612.42")


# --- 5. compound ad valorem + specific -------------------------------------------------------


def test_compound_ad_valorem_plus_specific_duty(engine: Engine) -> None:
    item = DutyItem("0102291010", "AR", JULY, Decimal(5000), Quantities({Unit("DTN"): Decimal(3)}))
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    line = option.lines[0]
    assert line.expression == "10.2% + EUR 93.10/100 kg"
    # 5000 x 10.2% = 510; 93.10 x 3 x 0.8571 = 279.3 x 0.8571 = 239.38803
    assert line.amount == Decimal(510) + Decimal("239.38803") == Decimal("749.38803")
    assert round_money(line.amount) == Decimal("749.39")
    assert option.vat is not None and option.vat.measure_type == "VTZ"
    assert option.vat_amount == 0


# --- 6. MIN floor in the cigarette excise ----------------------------------------------------


@pytest.mark.parametrize(
    ("retail_price", "excise"),
    [
        # 16.5% x 100 + 244.78 x 2 = 16.50 + 489.56 = 506.06 < floor 320.90 x 2 = 641.80
        (Decimal(100), Decimal("641.80")),
        # 16.5% x 2000 + 244.78 x 2 = 330 + 489.56 = 819.56 > floor 641.80
        (Decimal(2000), Decimal("819.56")),
    ],
    ids=["floor bites", "floor does not bite"],
)
def test_excise_with_minimum_per_thousand_items(
    engine: Engine, retail_price: Decimal, excise: Decimal
) -> None:
    item = DutyItem(
        "0103921100",
        "AR",
        JULY,
        Decimal(5000),
        Quantities({Unit("DTN"): Decimal(2), Unit("RET"): retail_price, Unit("MIL"): Decimal(2)}),
        additional_codes=frozenset({"X611"}),
    )
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert amounts(option) == {
        "103": Decimal("60.16842"),  # 35.10 x 2 x 0.8571
        "306": excise,
    }
    # The only VAT measure on 0103921100 is VTZ (zero rate): VAT 0% of (5000 + duties) = 0
    assert option.vat is not None and option.vat.measure_type == "VTZ"
    assert option.vat_amount == 0
    assert option.total == Decimal("60.16842") + excise


def test_excise_split_by_additional_code_is_not_charged_without_the_code(engine: Engine) -> None:
    item = DutyItem("0103921100", "AR", JULY, Decimal(5000), Quantities({Unit("DTN"): Decimal(2)}))
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert "306" not in amounts(option)
    assert any("X611" in note for note in option.notes)


# --- 8. entry price ladder (condition V) ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expression", "duty"),
    [
        # 1000 kg = 10 x 100 kg. 52.6 x 10 x 0.8571 = 450.8346 GBP ≤ 460 (53.67 EUR/100 kg)
        # → 14.4% x 460 = 66.24
        ("460", "14.4%", Decimal("66.24")),
        # exactly at the top threshold 450.8346 → top band: 450.8346 x 14.4% = 64.9201824
        ("450.8346", "14.4%", Decimal("64.9201824")),
        # 51.5 x 10 x 0.8571 = 441.4065 ≤ 445 < 450.8346 (51.92 EUR/100 kg)
        # → 445 x 14.4% + 1.10 x 10 x 0.8571 = 64.08 + 9.4281 = 73.5081
        ("445", "14.4% + EUR 1.10/100 kg", Decimal("73.5081")),
        # 48.4 x 10 x 0.8571 = 414.8364 ≤ 420 < 49.4 x 10 x 0.8571 = 423.4074 (49.00 EUR/100 kg)
        # → 420 x 14.4% + 4.20 x 10 x 0.8571 = 60.48 + 35.9982 = 96.4782
        ("420", "14.4% + EUR 4.20/100 kg", Decimal("96.4782")),
        # 400 < 414.8364 (46.67 EUR/100 kg) → 400 x 14.4% + 29.80 x 10 x 0.8571
        # = 57.60 + 255.4158 = 313.0158
        ("400", "14.4% + EUR 29.80/100 kg", Decimal("313.0158")),
    ],
)
def test_entry_price_ladder_chooses_the_band_of_the_unit_price(
    engine: Engine, value: str, expression: str, duty: Decimal
) -> None:
    item = DutyItem(
        "0809400500", "AR", JULY, Decimal(value), Quantities({Unit("KGM"): Decimal(1000)})
    )
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert option.measure_type == "103"
    (line,) = option.lines
    assert line.expression == expression
    assert line.amount == duty


def test_entry_price_needs_the_mass(engine: Engine) -> None:
    with pytest.raises(QuantityRequired) as raised:
        engine.assess(DutyItem("0809400500", "AR", JULY, Decimal(460)))
    assert raised.value.unit == Unit("DTN")


# --- 9. preferences --------------------------------------------------------------------------


def test_preference_options_depend_on_origin(engine: Engine) -> None:
    morocco = engine.assess(tomatoes("MA"))
    preference = only(morocco, OptionKind.PREFERENCE)
    assert preference.measure_type == "142" and preference.area == "MA"
    assert preference.duty == Decimal(35)  # 1000 x 3.5%
    quotas = {o.order_number for o in morocco.options if o.kind is OptionKind.QUOTA}
    # 051104 (valid 2021-02) and 051193 (2021-01-01..05-31) are both open on 2021-02-15
    assert quotas == {"051104", "051193"}
    canada = engine.assess(tomatoes("CA"))
    assert only(canada, OptionKind.PREFERENCE).duty == 0  # 142 CA: 0%
    us = engine.assess(tomatoes("US"))
    assert [o.kind for o in us.options] == [OptionKind.THIRD_COUNTRY]
    assert us.refused == ()
    assert us.applied.duty == Decimal(80)  # 1000 x 8%


@pytest.mark.parametrize(
    ("claim", "kind", "duty"),
    [
        ("300", OptionKind.PREFERENCE, Decimal(35)),  # 1000 x 3.5%
        ("100", OptionKind.THIRD_COUNTRY, Decimal(80)),  # 1000 x 8%
        (None, OptionKind.THIRD_COUNTRY, Decimal(80)),
    ],
)
def test_claimed_preference_code_decides_the_applied_option(
    engine: Engine, claim: str | None, kind: OptionKind, duty: Decimal
) -> None:
    assessment = engine.assess(tomatoes("MA", preference=claim))
    assert assessment.applied.kind is kind
    assert assessment.applied.duty == duty
    assert assessment.applied.total == duty  # VAT 305 VATZ: 0%


# --- 10. proof of origin ---------------------------------------------------------------------


def test_preference_refused_without_proof_of_origin_document(engine: Engine) -> None:
    # 142 for group 1006 (members: GB) has condition Q: U088 → apply, else not applicable.
    without = engine.assess(tomatoes("GB", preference="300"))
    assert [o.kind for o in without.options] == [OptionKind.THIRD_COUNTRY]
    (refused,) = without.refused
    assert refused.kind is OptionKind.PREFERENCE and refused.area == "1006"
    assert refused.reason is not None and "U088" in refused.reason
    assert without.applied.kind is OptionKind.THIRD_COUNTRY
    assert "U088" in without.reason

    with_proof = engine.assess(tomatoes("GB", preference="300", documents=frozenset({"U088"})))
    assert with_proof.refused == ()
    assert with_proof.applied.kind is OptionKind.PREFERENCE
    assert with_proof.applied.duty == 0  # 1000 x 0%


# --- 11. quota balances --------------------------------------------------------------------


def balance(order: str, amount: str) -> QuotaBalance:
    return QuotaBalance(
        order_number=order, balance=Decimal(amount), unit=Unit("KGM"), valid_from=date(2021, 2, 1)
    )


def test_exhausted_quota_falls_back_to_the_preference_when_the_claim_was_preferential(
    engine: Engine,
) -> None:
    # Both Moroccan quotas open on the day are exhausted (051193 would otherwise be applied).
    quotas = {"051104": balance("051104", "0"), "051193": balance("051193", "0")}
    assessment = engine.assess(tomatoes("MA", preference="320"), quotas)
    assert {o.order_number for o in assessment.refused} == {"051104", "051193"}
    assert all(o.reason and "exhausted" in o.reason for o in assessment.refused)
    assert assessment.applied.kind is OptionKind.PREFERENCE
    assert assessment.applied.duty == Decimal(35)  # 1000 x 3.5%
    assert "exhausted" in assessment.reason and "preference" in assessment.reason


def test_other_open_quota_is_used_when_one_is_exhausted(engine: Engine) -> None:
    assessment = engine.assess(tomatoes("MA", preference="320"), {"051104": balance("051104", "0")})
    assert assessment.applied.kind is OptionKind.QUOTA
    assert assessment.applied.order_number == "051193"


def test_quota_with_enough_balance_applies_and_too_little_is_refused(engine: Engine) -> None:
    closed = balance("051193", "0")
    enough = engine.assess(
        tomatoes("MA", preference="320"), {"051104": balance("051104", "500"), "051193": closed}
    )
    assert enough.applied.kind is OptionKind.QUOTA
    assert enough.applied.order_number == "051104"
    assert enough.applied.total == 0  # 0% + VAT 0%
    short = engine.assess(
        tomatoes("MA", preference="320"), {"051104": balance("051104", "499.9"), "051193": closed}
    )
    refused = {o.order_number: o.reason for o in short.refused}
    assert refused["051104"] == "tariff quota 051104 has 499.9 left, 500 needed"
    assert short.applied.kind is OptionKind.PREFERENCE


# --- 12. anti-dumping and countervailing by company code ----------------------------------


def biodiesel(codes: frozenset[str], documents: frozenset[str] = frozenset()) -> DutyItem:
    return DutyItem(
        "1516209821",
        "CA",
        JUNE,
        Decimal(1000),
        BIODIESEL_2T,
        additional_codes=codes,
        documents=documents,
    )


def test_company_code_with_undertaking_document_pays_no_anti_dumping(engine: Engine) -> None:
    option = only(
        engine.assess(biodiesel(frozenset({"B107"}), frozenset({"D008"}))),
        OptionKind.THIRD_COUNTRY,
    )
    assert amounts(option) == {"103": Decimal(109), "552": Decimal(0), "554": Decimal(0)}
    assert {line.additional_code for line in option.lines[1:]} == {"B107"}
    # VAT 305 without additional code, 20% x (1000 + 109) = 221.80
    assert option.vat_amount == Decimal("221.80")


def test_company_code_without_document_pays_anti_dumping_and_countervailing(
    engine: Engine,
) -> None:
    option = only(engine.assess(biodiesel(frozenset({"B107"}))), OptionKind.THIRD_COUNTRY)
    assert amounts(option) == {
        "103": Decimal(109),  # 1000 x 10.9%
        "552": Decimal("288.20"),  # 144.10 GBP/t x 2
        "554": Decimal("396.66"),  # 198.33 GBP/t x 2
    }
    # VAT 20% x (1000 + 109 + 288.20 + 396.66) = 20% x 1793.86 = 358.772
    assert option.vat_amount == Decimal("358.772")
    assert round_money(option.total) == Decimal("1152.63")  # 793.86 + 358.772 = 1152.632


def test_no_company_code_falls_to_the_residual_code_with_a_note(engine: Engine) -> None:
    option = only(engine.assess(biodiesel(frozenset())), OptionKind.THIRD_COUNTRY)
    lines = {line.measure_type: (line.additional_code, line.amount) for line in option.lines}
    assert lines["552"] == ("B999", Decimal("288.20"))  # 144.10 x 2
    assert lines["554"] == ("B999", Decimal("396.66"))  # 198.33 x 2
    assert any("552" in n and "B999" in n for n in option.notes)
    assert any("554" in n and "B999" in n for n in option.notes)


def test_declared_vat_additional_code_selects_the_zero_rate(engine: Engine) -> None:
    item = biodiesel(frozenset({"B107", "VATZ"}), frozenset({"D008"}))
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert option.vat is not None and option.vat.additional_code == "VATZ"
    assert option.vat_amount == 0


# --- 13. requirements ------------------------------------------------------------------------


def test_import_prohibition_from_north_korea_is_an_unsatisfied_requirement(
    engine: Engine,
) -> None:
    requirements = {r.measure_type: r for r in engine.assess(tomatoes("KP")).requirements}
    prohibition = requirements["277"]
    assert not prohibition.satisfied
    assert "KP" in prohibition.detail
    assert "277" not in {r.measure_type for r in engine.assess(tomatoes("MA")).requirements}


def test_phytosanitary_certificate_satisfies_the_restriction(engine: Engine) -> None:
    missing = {r.measure_type: r for r in engine.assess(tomatoes("MA")).requirements}["360"]
    assert not missing.satisfied
    assert missing.documents == ("N851",)
    assert "N851" in missing.detail
    item = tomatoes("MA", documents=frozenset({"N851"}))
    present = {r.measure_type: r for r in engine.assess(item).requirements}["360"]
    assert present.satisfied


# --- 14. errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "on"),
    [
        ("9999999999", JULY),
        # plums: the earliest measure (305 VAT) starts 2019-09-01
        ("0809400500", date(2019, 1, 1)),
    ],
)
def test_unknown_commodity_raises(engine: Engine, code: str, on: date) -> None:
    with pytest.raises(UnknownCommodity) as raised:
        engine.assess(DutyItem(code, "AR", on, Decimal(100)))
    assert raised.value.code == code and raised.value.on == on


def test_missing_quantity_raises_naming_the_unit(engine: Engine) -> None:
    with pytest.raises(QuantityRequired, match=r"100 kg \(DTN\)") as raised:
        engine.assess(DutyItem("0103921100", "AR", JULY, Decimal(5000)))
    assert raised.value.unit == Unit("DTN")
    with pytest.raises(QuantityRequired) as biodiesel_missing:
        engine.assess(ferro_alloy("CN", quantities=Quantities()))
    assert biodiesel_missing.value.unit == Unit("TNE", "I")


# --- 15. rounding ----------------------------------------------------------------------------


def test_duty_ending_in_half_a_penny_rounds_half_up(engine: Engine) -> None:
    # AR: not in 5050, no 552 code declared → only 103 and VAT.
    item = DutyItem("7202118000", "AR", JUNE, Decimal(1235), BIODIESEL_2T)
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert amounts(option) == {"103": Decimal("33.345")}  # 1235 x 2.7% = 33.345
    assert round_money(option.duty) == Decimal("33.35")  # half-up (half-even gives 33.34)
    # VAT 20% x 1268.345 = 253.669 → 253.67
    assert option.vat_amount == Decimal("253.669")
    assert round_money(option.total) == Decimal("287.01")  # 287.014


@pytest.mark.parametrize(
    ("value", "total", "rounded_total", "rounded_lines"),
    [
        # 1262.50 x 2.7% = 34.0875; VAT 20% x 1296.5875 = 259.3175; total 293.405 → 293.41
        # (half-even would give 293.40); lines 34.09 + 259.32 = 293.41
        ("1262.50", "293.405", "293.41", "293.41"),
        # 1037.50 x 2.7% = 28.0125; VAT 20% x 1065.5125 = 213.1025; total 241.115 → 241.12,
        # while the rounded lines 28.01 + 213.10 add to 241.11
        ("1037.50", "241.115", "241.12", "241.11"),
    ],
)
def test_total_is_rounded_once_not_summed_from_rounded_lines(
    engine: Engine, value: str, total: str, rounded_total: str, rounded_lines: str
) -> None:
    item = DutyItem("7202118000", "AR", JUNE, Decimal(value), BIODIESEL_2T)
    option = only(engine.assess(item), OptionKind.THIRD_COUNTRY)
    assert option.total == Decimal(total)
    assert round_money(option.total) == Decimal(rounded_total)
    assert round_money(option.duty) + round_money(option.vat_amount) == Decimal(rounded_lines)

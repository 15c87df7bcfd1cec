"""The UK CDS trade test pack lodged as its software houses send it: every XSD-valid original
declaration (FunctionCode 9) through the same exchange the API uses, each getting the outcome
the pack shows, and duty and VAT agreeing to the penny with CDS's DMSTAX figures where the
tariff holds the rates CDS applied.

The tariff for the test is a national schedule built from ``dmstax_expected_duties.csv``: for
each commodity code, the ad valorem customs duty (A00) and VAT (B00) rates CDS charged.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from clearway.adapters.database import create_database_engine
from clearway.adapters.messages.dms_history import tax_notification
from clearway.adapters.messages.dms_notifications import (
    NotificationKind,
    PointerStep,
    parse_notification,
)
from clearway.adapters.tariff_files import read_schedule
from clearway.adapters.tariff_store import store_records
from clearway.bootstrap import Runtime, build_runtime
from clearway.config import Settings
from clearway.domain.access import Principal, Role
from clearway.entrypoints.dec_dms_exchange import receive
from tests.conftest import LEDGER_ORIGIN, NOW, ROOT, SECRET

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"
SYSTEM = Principal("cds-pack", Role.SYSTEM)
TESTER_EORI = b"GB553202734852"

# Samples the pack shows accepted that Clearway cannot take, and why.
OUT_OF_SCOPE = {
    "samples/TT_EX022a/TT_EX022a_Declaration1_(Step1).xml": "not well-formed XML (-- in a comment)",
    "samples/TT_IM084a/TT_IM084a.xml": "not well-formed XML (-- inside a comment)",
}
# Commodity codes of the HS 2017 that the HS 2022 replaced (9702 was split into 9702 10 and
# 9702 90): the samples were written before; CDS's tariff of the time took them.
for _path in (
    "samples/TT_IM068a/TT_IM068a.xml",
    "samples/TT_IM077a/TT_IM077a.xml",
    "samples/TT_IM079a/TT_IM079a.xml",
    "samples/TT_IM124a/Step1_TT_IM124a.xml",
):
    OUT_OF_SCOPE[_path] = "commodity code 9702 00 of the HS 2017, replaced in the HS 2022"

# Duty figures of the pack the tariff for the test cannot reproduce, and why.
KNOWN_TAX_DIFFERENCES = {
    "samples/TT_FI001a/TT_FI001a.xml": "CDS assessed no A00 at 16% and shows a duty charge "
    "(MDC 160.00) instead: a financial scenario (securities) the tariff for the test has no "
    "measure for",
    "samples/TT_IM017b/Step1_TT_IM017b.xml": "CDS's duty base is 10,000.00 for an item priced "
    "3,000: a customs value the message does not state",
    "samples/TT_IM065a/Step1_TT_IM065a.xml": "the pack gives only the preferential quota rate "
    "(regime 320, order 051867), not the third-country rate nor the quota",
    "samples/TT_IM080a/TT_IM080a.xml": "CDS assessed nothing at 2% and 20%: a relief the "
    "tariff for the test does not hold",
    "samples/TT_IM101a/TT_IM101a.xml": "the VAT base includes excise (tax type 522) and the EU "
    "duty (A50) of goods at risk into Northern Ireland, which the tariff for the test lacks",
    "samples/TT_IM148a/Step1_TT_IM148a.xml": "CDS assessed no VAT at 20%: a VAT relief the "
    "tariff for the test does not hold",
    "samples/TT_IM164a/Step1_TT_IM164a.xml": "a VAT base of 2,500.00 on goods valued "
    "10,000.00 and a specific EU duty (A50) the tariff for the test lacks",
}
# Samples that get another outcome than CDS gave, and why: Clearway's own choices.
KNOWN_OUTCOME_DIFFERENCES = {
    "accepted-rejected/Imports/Rejected/Obligation Rejection/Declaration/"
    "TT1_IM_v2.02_Rejected_Obligation_Netmass.xml": "CDS refused it for its missing net mass "
    "(DE 6/1, CDS10001); Clearway asks the net mass of a full declaration only, as CDS "
    "accepted 22 of the pack's other imports without one",
    "samples/CUS_Code/New_Export_CUS_Code_Sample.xml": "its LRN has a space, which Clearway "
    "refuses (LRNs that differ only in spaces look the same)",
    "samples/TT_IM066a/TT_IM066a.xml": "its country of dispatch is its destination (GB), which "
    "Clearway refuses (BR008)",
}
CO_TYPES = "declarations of type CO (trade with special fiscal territories) are not taken"


def _rows(name: str) -> list[dict[str, str]]:
    with (PACK / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Sample:
    path: str
    type_code: str
    rejected_with: tuple[str, ...]
    """The validation codes of the pack's DMSREJ for this declaration, if it shows one."""


def _samples() -> list[Sample]:
    rows = _rows("samples_index.csv")
    rejections: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if row["kind"] == "RES" and row["function_code"] == "03":
            codes = row["notes"].removeprefix("errors=").split(";")
            rejections[str(Path(row["path"]).parent)] = tuple(c for c in codes if c)
    samples = []
    for row in rows:
        if row["kind"] == "DEC" and row["function_code"] == "9" and row["xsd_valid"] == "yes":
            folder = str(Path(row["path"]).parent)
            samples.append(
                Sample(f"samples/{row['path']}", row["type_code"], rejections.get(folder, ()))
            )
    for folder in sorted((PACK / "accepted-rejected").glob("*/Rejected/*")):
        declaration = next((folder / "Declaration").glob("*.xml"))
        samples.append(Sample(str(declaration.relative_to(PACK)), "", ("reject",)))
    for declaration in sorted((PACK / "accepted-rejected").glob("*/Accepted/Declaration/*.xml")):
        samples.append(Sample(str(declaration.relative_to(PACK)), "", ()))
    return samples


SAMPLES = _samples()


MEASURES = {"A00": "103", "A00P": "142", "B00": "305", "A20": "695", "A30": "552", "A35": "551"}
SCHEDULE_HEADER = [
    "commodity_code", "measure_type", "origin", "excluded", "duty", "valid_from", "valid_to",
    "additional_code", "order_number", "documents", "description",
]  # fmt: skip


def _schedule(path: Path, import_codes: set[str]) -> dict[tuple[str, str], Decimal]:
    """A national schedule for the test, written to ``path``: the ad valorem rates CDS applied
    (its DMSTAX table) by commodity code, tax type and origin; a code charged two different
    rates of one tax for the same origin is left out. Every other commodity code the pack
    imports gets a line too (third-country duty free, VAT at the standard 20%) so that the
    tariff knows it; the figures of those are not compared. Returns the rates CDS applied."""
    rates: dict[tuple[str, str, str], set[Decimal]] = defaultdict(set)
    third_country: dict[str, set[Decimal]] = defaultdict(set)
    for row in _rows("dmstax_expected_duties.csv"):
        code = row["commodity_code(TSP/TAR)"]
        tax, regime = row["tax_type"], row["duty_regime"]
        if tax not in MEASURES or not code or not row["base_amount"] or not row["rate"]:
            continue
        rate = Decimal(row["rate"])
        if tax == "A00" and regime[:1] in {"2", "3", "4"}:
            # A preference: CDS's rate for the country of preferential origin (the last given).
            rates[(code, "A00P", row["origin"].split()[-1])].add(rate)
        elif tax == "A00" and regime not in {"", "100"}:
            third_country[code].add(rate)  # a non-preferential regime (quota …) when no 100 rate
        elif tax in {"A00", "B00"}:
            rates[(code, tax, "1011")].add(rate)
        else:
            rates[(code, tax, row["origin"].split()[0])].add(rate)
    for code, found in third_country.items():
        if (code, "A00", "1011") not in rates:
            rates[(code, "A00", "1011")] = found
    # One rate of a tax for a code and origin, or the tax left out; other taxes (additional
    # duties) may be several measures at once.
    chosen = {
        (*key, rate): rate
        for key, found in rates.items()
        if len(found) == 1 or key[1] not in {"A00", "A00P", "B00"}
        for rate in found
    }
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(SCHEDULE_HEADER)
        known = {code for code, _, _, _ in chosen}
        for (code, tax, origin, _), rate in sorted(chosen.items()):
            duty = f"{rate}%" if rate or tax == "B00" else "Free"
            writer.writerow([code.ljust(10, "0"), MEASURES[tax], origin, "", duty, "2019-01-01",
                             "", "", "", "", "CDS trade test pack rate"])  # fmt: skip
        for code in sorted(import_codes - known):
            for measure, duty in (("103", "Free"), ("305", "20%")):
                writer.writerow([code.ljust(10, "0"), measure, "1011", "", duty, "2019-01-01",
                                 "", "", "", "", "nomenclature of the pack"])  # fmt: skip
    return {(code, tax): rate for (code, tax, _, _), rate in chosen.items()}


def _import_codes() -> set[str]:
    """The commodity codes (eight digits) of every goods item the pack imports."""
    found = set()
    for sample in SAMPLES:
        if sample.path in OUT_OF_SCOPE:
            continue
        root = etree.parse(PACK / sample.path, etree.XMLParser(resolve_entities=False)).getroot()
        declaration = root.find(f"{{{DEC}}}Declaration")
        type_code = declaration.findtext(f"{{{DEC}}}TypeCode") if declaration is not None else ""
        if declaration is None or not (type_code or "").startswith("IM"):
            continue
        for classification in declaration.iter(f"{{{DEC}}}Classification"):
            if classification.findtext(f"{{{DEC}}}IdentificationTypeCode") == "TSP":
                found.add((classification.findtext(f"{{{DEC}}}ID") or "").strip())
    return {code for code in found if code.isdigit()}


@pytest.fixture(scope="module")
def pack_runtime(
    sqlite_template: Path, ledger_keys: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Runtime, dict[tuple[str, str], Decimal]]]:
    folder = tmp_path_factory.mktemp("cds-pack")
    shutil.copy(sqlite_template, folder / "pack.db")
    url = f"sqlite:///{folder / 'pack.db'}"
    rates = _schedule(folder / "schedule.csv", _import_codes())
    engine = create_database_engine(url)
    store_records(engine, read_schedule(folder / "schedule.csv", "GB"))
    engine.dispose()
    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        ledger_key_file=str(ledger_keys[0]),
        ledger_origin=LEDGER_ORIGIN,
    )
    runtime = build_runtime(settings, prepare=False, clock=lambda: NOW)
    yield runtime, rates
    runtime.engine.dispose()


def _type_code(content: bytes) -> str:
    root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
    found = root.findtext("{urn:wco:datamodel:WCO:DEC-DMS:2}Declaration/"
                          "{urn:wco:datamodel:WCO:DEC-DMS:2}TypeCode")  # fmt: skip
    return found or ""


def _expected_taxes() -> dict[str, dict[tuple[int, str], Decimal]]:
    """CDS's first DMSTAX for each declaration: assessed amount by (item, tax type)."""
    first: dict[str, str] = {}
    taxes: dict[str, dict[tuple[int, str], Decimal]] = defaultdict(dict)
    for row in _rows("dmstax_expected_duties.csv"):
        path = f"samples/{row['declaration_file']}"
        if (
            not row["declaration_file"]
            or row["tax_type"] not in {"A00", "B00"}
            or not row["base_amount"]
        ):
            continue
        if first.setdefault(path, row["dmstax_file"]) != row["dmstax_file"]:
            continue
        taxes[path][(int(row["item_seq"]), row["tax_type"])] = Decimal(row["assessed"])
    return taxes


EXPECTED_TAXES = _expected_taxes()


def test_the_pack_gets_the_outcomes_cds_gave(
    pack_runtime: tuple[Runtime, dict[tuple[str, str], Decimal]],
) -> None:
    runtime, rates = pack_runtime
    outcomes: dict[str, str] = {}
    mismatched: dict[str, str] = {}
    out_of_scope: dict[str, str] = dict(OUT_OF_SCOPE)
    taxes_checked = 0
    wrong_taxes: list[str] = []
    for sample in SAMPLES:
        # The accepted/rejected pairs leave the authorisation holder for the tester to fill in.
        content = (PACK / sample.path).read_bytes().replace(b"INSERTEORI", TESTER_EORI)
        if sample.path in OUT_OF_SCOPE:
            exchange = receive(content, SYSTEM, runtime)
            if "well-formed" in OUT_OF_SCOPE[sample.path]:
                assert exchange.status == 400 and b"errorResponse" in exchange.answer
            else:
                assert exchange.status == 422, sample.path  # refused, with the reason given
            continue
        if _type_code(content).startswith("CO"):
            out_of_scope[sample.path] = CO_TYPES
            continue
        exchange = receive(content, SYSTEM, runtime)
        answer = parse_notification(exchange.answer) if exchange.status != 400 else None
        accepted = exchange.status in {200, 201}
        outcomes[sample.path] = "accepted" if accepted else "refused"
        if accepted != (not sample.rejected_with):
            detail = (
                "; ".join(
                    f"{e.validation_code} {e.description} @{_where(e.pointer)}"
                    for e in answer.errors
                )
                if answer
                else exchange.answer.decode()[:300]
            )
            mismatched[sample.path] = detail
            continue
        if accepted and sample.path in EXPECTED_TAXES and sample.path not in KNOWN_TAX_DIFFERENCES:
            assert answer is not None and answer.kind is NotificationKind.DMSACC
            record = exchange.record
            assert record is not None and record.assessment is not None
            taxes = tax_notification(record, record.version, record.assessment, NOW)
            found: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
            for item in taxes.items:
                for line in item.lines:
                    found[(item.sequence_numeric, line.type_code)] += line.assessed
            for (sequence, tax), amount in EXPECTED_TAXES[sample.path].items():
                code = record.payload["items"][sequence - 1].get("commodity_code", "")
                if (code[:8], tax) not in rates and (code, tax) not in rates:
                    continue  # the tariff for the test holds no single rate for this code
                taxes_checked += 1
                if found.get((sequence, tax)) != amount:
                    wrong_taxes.append(f"{sample.path} item {sequence} {tax}: CDS {amount}, "
                                       f"Clearway {found.get((sequence, tax))}")  # fmt: skip
    in_scope = len(outcomes)
    right = in_scope - len(mismatched)
    print(f"\n{right} of {in_scope} in scope get CDS's outcome; {len(out_of_scope)} out of scope")
    for path, why in sorted(out_of_scope.items()):
        print(f"  out of scope: {path}: {why}")
    for path, why in sorted(mismatched.items()):
        print(f"  MISMATCH {path}: {why}")
    for path, why in sorted(KNOWN_TAX_DIFFERENCES.items()):
        print(f"  figures not compared: {path}: {why}")
    for wrong in wrong_taxes:
        print(f"  TAX {wrong}")
    print(f"{taxes_checked - len(wrong_taxes)} of {taxes_checked} duty and VAT figures agree")
    assert set(mismatched) == set(KNOWN_OUTCOME_DIFFERENCES), mismatched
    assert right >= 0.95 * in_scope
    assert taxes_checked >= 40 and not wrong_taxes


def _where(pointer: tuple[PointerStep, ...]) -> str:
    return "/".join(f"{step.document_section_code}:{step.tag_id or ''}" for step in pointer)

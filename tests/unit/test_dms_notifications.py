"""DMS notifications as UK CDS sends them: each kind is built valid against the shipped schema
and reads back to the same data; a tax calculation and a rejection carry exactly what the
pack's CDS notifications carry; the pack's own notifications read with their figures."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from clearway.adapters.messages.dms_notifications import (
    Amendment,
    BankAccount,
    DmsError,
    DutyPayment,
    GoodsItemTaxes,
    NotificationData,
    NotificationKind,
    PointerStep,
    Statement,
    TaxLine,
    build_notification,
    parse_notification,
    parse_notifications,
)
from clearway.adapters.messages.dms_schemas import (
    DEC_NS,
    META_NS,
    RES_DS_NS,
    RES_NS,
    validate_notification,
)
from clearway.adapters.messages.xml_safety import XmlRefused, parse_xml
from tests.conftest import ROOT

PACK = ROOT.parent / "shared" / "data" / "cds-trade-test"
SAMPLES = PACK / "samples"
ISSUED = datetime(2024, 2, 22, 10, 9, 38, tzinfo=UTC)
LRN = "7847767E1WB6"
MRN = "24GB22WOA1EV2P6AR5"
# Pack notifications the schema refuses as CDS wrote them: DateTimeString without formatCode,
# or metadata element names run together with their prefix ("_2WCODataModelVersionCode").
DEFECTIVE_SAMPLES = {
    "Example_DMS_notifications/16_DMSEOG.xml",
    "TT_IM030a/02_DMSTAX.xml",
    "TT_IM030a/03_DMSTAX.xml",
    "TT_IM030a/04_DMSCLE.xml",
    "TT_IM117a/01_DMSACC.xml",
    "TT_IM118a/03_DMSTAX.xml",
    "TT_IM219a/05_DMSCLE.xml",
}


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def shape(element: etree._Element) -> list[tuple[str, str, dict[str, str]]]:
    """An element's content namespaces aside: (path of local names, text, attributes)."""
    rows = []
    for node in element.iter():
        path = "/".join(local(step) for step in [*reversed(list(node.iterancestors())), node])
        rows.append(
            (path[path.index(local(element)) :], (node.text or "").strip(), dict(node.attrib))
        )
    return rows


def captured(path: Path) -> bytes:
    """A notification as captured from CDS: the trailing HTTP header line cut off."""
    data = path.read_bytes()
    return data[: data.rindex(b"MetaData>") + len(b"MetaData>")]


def qualified(path: Path) -> bytes:
    """A pack example notification written without namespaces, put in the namespaces the
    schema gives them: MetaData's own elements in the metadata namespace, Response in RES-DMS,
    DateTimeString in its data-type namespace, the corrected Declaration of a DMSRES in
    DEC-DMS."""
    root = parse_xml(path.read_bytes())
    if etree.QName(root).namespace:
        return etree.tostring(root)

    def qualify(element: etree._Element, namespace: str) -> None:
        name = local(element)
        element.tag = f"{{{RES_DS_NS if name == 'DateTimeString' else namespace}}}{name}"
        for child in element:
            qualify(child, namespace)

    root.tag = f"{{{META_NS}}}MetaData"
    for child in root:
        if local(child) != "Response":
            child.tag = f"{{{META_NS}}}{local(child)}"
            continue
        qualify(child, RES_NS)
        for corrected in child.findall(f"{{{RES_NS}}}Declaration")[1:]:
            qualify(corrected, DEC_NS)
    return etree.tostring(root)


def example(kind: NotificationKind) -> NotificationData:
    """A notification of each kind with what the pack's samples of that kind carry."""
    pointer = (PointerStep(None, "42A"), PointerStep(1, "67A"), PointerStep(1, "68A", "114"))
    common = {"kind": kind, "issued_at": ISSUED, "lrn": LRN, "mrn": MRN, "version": 1}
    tax = (
        GoodsItemTaxes(
            1,
            (
                TaxLine(
                    type_code="A00",
                    duty_regime="100",
                    base_quantity=Decimal("111.11"),
                    base_unit="KGM",
                    assessed=Decimal("111.33"),
                    payable=Decimal("111.33"),
                ),
                TaxLine(
                    type_code="B00",
                    base_amount=Decimal("1020.00"),
                    rate=Decimal("20"),
                    deducted=Decimal("0"),
                    assessed=Decimal("204.00"),
                    payable=Decimal("204"),
                ),
                TaxLine(type_code="MOD", assessed=Decimal("222.33")),
            ),
        ),
        GoodsItemTaxes(
            2,
            (
                TaxLine(
                    type_code="A00",
                    rate=Decimal("3.375"),
                    base_amount=Decimal("400"),
                    assessed=Decimal("13.50"),
                    payable=Decimal("13.50"),
                ),
            ),
        ),
    )
    extra: dict[NotificationKind, dict[str, object]] = {
        NotificationKind.DMSACC: {"accepted_at": ISSUED - timedelta(hours=2)},
        NotificationKind.DMSREJ: {
            "mrn": None,
            "rejected_at": ISSUED,
            "errors": (
                DmsError("CDS12005", "Invalid code", (PointerStep(None, "42A"),)),
                DmsError("CDS10001", "", pointer),
            ),
        },
        NotificationKind.DMSCTL: {
            "statements": (Statement(description="Physical inspection", type_code="AFB"),)
        },
        NotificationKind.DMSDOC: {
            "statements": (
                Statement(
                    code="ACA",
                    description="Present the phytosanitary certificate (N851)",
                    limit_at=ISSUED + timedelta(days=2),
                    type_code="ACA",
                    pointer=(*pointer[:2], PointerStep(1, "68A"), PointerStep(1, "02A")),
                ),
            )
        },
        NotificationKind.DMSRES: {
            "amendments": (Amendment("16", (*pointer[:2], PointerStep(None, "64A", "L017"))),)
        },
        NotificationKind.DMSROG: {"statements": (Statement(code="A1", type_code="AFB"),)},
        NotificationKind.DMSCLE: {"statements": (Statement(code="A2", type_code="AFB"),)},
        NotificationKind.DMSINV: {
            "cancelled_at": ISSUED,
            "statements": (Statement(description="Duplicate declaration", type_code="AFB"),),
        },
        NotificationKind.DMSREQ: {"status_code": "39", "version": None},
        NotificationKind.DMSTAX: {
            "status_code": "4",
            "bank": BankAccount("BARCGB22", "GB16BARC20051723372545"),
            "totals": (
                DutyPayment(
                    assessed=Decimal("551.16"),
                    payable=Decimal("328.83"),
                    payment_reference="CDSI1234567",
                    due_at=ISSUED + timedelta(days=30),
                ),
            ),
            "items": tax,
        },
        NotificationKind.DMSCPI: {
            "bank": BankAccount("CITIGB2LLON", "GB25CITI08320011963155"),
            "totals": (DutyPayment(payable=Decimal("226.40"), guarantee_references=("1909241",)),),
        },
        NotificationKind.DMSEOG: {
            "statements": (Statement(code="", description="GB000041", type_code="CEX"),),
            "status_code": "A1",
        },
        NotificationKind.DMSGER: {
            "statements": (Statement(limit_at=ISSUED + timedelta(days=90), type_code="CEX"),)
        },
    }
    return NotificationData(**{**common, **extra.get(kind, {})})  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", list(NotificationKind), ids=lambda kind: kind.name)
def test_each_kind_is_schema_valid_and_reads_back_the_same(kind: NotificationKind) -> None:
    notification = example(kind)

    document = build_notification(notification)

    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    validate_notification(parse_xml(document))
    root = parse_xml(document)
    assert root.findtext(f"{{{RES_NS}}}Response/{{{RES_NS}}}FunctionCode") == kind.value
    assert parse_notification(document) == notification


def test_amounts_have_two_decimals_and_a_currency_and_dates_format_304() -> None:
    root = parse_xml(build_notification(example(NotificationKind.DMSTAX)))
    response = root[-1]

    amounts = [
        (local(element), element.text, element.get("currencyID"))
        for element in response.iter()
        if local(element).endswith("Amount")
    ]
    assert ("PaymentAmount", "204.00", "GBP") in amounts
    assert all(re.fullmatch(r"\d+\.\d\d", text or "") for _, text, _ in amounts)
    assert all(currency == "GBP" for _, _, currency in amounts)
    stamp = response.find(f"{{{RES_NS}}}IssueDateTime/{{{RES_DS_NS}}}DateTimeString")
    assert stamp is not None
    assert (stamp.text, stamp.get("formatCode")) == ("20240222100938Z", "304")
    rates = [element.text for element in response.iter(f"{{{RES_NS}}}TaxRateNumeric")]
    assert rates == ["20.00", "3.375"]
    quantity = response.find(f".//{{{RES_NS}}}SpecificTaxBaseQuantity")
    assert quantity is not None
    assert (quantity.text, quantity.get("unitCode")) == ("111.110000", "KGM")


def test_a_dmstax_carries_the_duties_of_the_pack_s_tt_im001a_sample() -> None:
    sample_file = "TT_IM001a/Example_Notifications/02_DMSTAX.xml"
    with (PACK / "dmstax_expected_duties.csv").open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["dmstax_file"] == sample_file]
    assert [row["tax_type"] for row in rows] == ["A00", "B00"]
    by_item: dict[int, list[TaxLine]] = defaultdict(list)
    for row in rows:
        by_item[int(row["item_seq"])].append(
            TaxLine(
                type_code=row["tax_type"],
                base_amount=Decimal(row["base_amount"]),
                deducted=Decimal("0"),
                duty_regime=row["duty_regime"],
                rate=Decimal(row["rate"]),
                assessed=Decimal(row["assessed"]),
                payable=Decimal(row["payable"]),
            )
        )
    notification = NotificationData(
        kind=NotificationKind.DMSTAX,
        issued_at=ISSUED,
        lrn=LRN,
        mrn=MRN,
        version=1,
        status_code="67",
        bank=BankAccount("BARCGB22", "GB16BARC20051723372545"),
        items=tuple(GoodsItemTaxes(item, tuple(lines)) for item, lines in by_item.items()),
    )

    built = parse_xml(build_notification(notification))
    sample = parse_xml((SAMPLES / sample_file).read_bytes())

    def duties(root: etree._Element) -> list[list[tuple[str, str, dict[str, str]]]]:
        return [shape(element) for element in root.iter() if local(element) == "DutyTaxFee"]

    assert duties(built) == duties(sample)
    assert len(duties(sample)) == 2
    assert ("DutyTaxFee/Payment/TaxAssessedAmount", "204.00", {"currencyID": "GBP"}) in duties(
        built
    )[1]


REJECTED_IMPORTS = sorted((PACK / "accepted-rejected" / "Imports" / "Rejected").rglob("*.xml"))


@pytest.mark.parametrize(
    "path",
    [path for path in REJECTED_IMPORTS if path.parent.name == "Example Notification"],
    ids=lambda path: path.parent.parent.name,
)
def test_a_dmsrej_carries_the_validation_code_and_pointer_of_the_pack_s_rejection(
    path: Path,
) -> None:
    sample = parse_xml(captured(path))
    errors = [element for element in sample.iter() if local(element) == "Error"]
    assert errors

    def step(pointer: etree._Element) -> PointerStep:
        fields = {local(field): field.text or "" for field in pointer}
        sequence = fields.get("SequenceNumeric")
        return PointerStep(
            None if sequence is None else int(sequence),
            fields["DocumentSectionCode"],
            fields.get("TagID"),
        )

    notification = NotificationData(
        kind=NotificationKind.DMSREJ,
        issued_at=ISSUED,
        lrn="Import_REJ",
        version=1,
        rejected_at=ISSUED,
        errors=tuple(
            DmsError(
                next(field.text or "" for field in error if local(field) == "ValidationCode"),
                pointer=tuple(step(pointer) for pointer in error if local(pointer) == "Pointer"),
            )
            for error in errors
        ),
    )

    built = parse_xml(build_notification(notification))

    assert [shape(error) for error in built.iter(f"{{{RES_NS}}}Error")] == [
        shape(error) for error in errors
    ]


def test_a_rejection_description_comes_from_the_cds_error_code_list() -> None:
    codes = json.loads((PACK / "code-lists" / "dmsErrorCodes.json").read_text(encoding="utf-8"))
    text = next(entry["en"] for entry in codes if entry["code"] == "CDS12005")
    error = DmsError("CDS12005", text, (PointerStep(None, "42A"), PointerStep(None, "17C", "R144")))
    notification = NotificationData(
        kind=NotificationKind.DMSREJ, issued_at=ISSUED, lrn=LRN, version=1, errors=(error,)
    )

    read = parse_notification(build_notification(notification))

    assert read.errors == (error,)
    assert read.mrn is None


def test_the_accepted_import_capture_reads_as_accepted_taxed_and_cleared() -> None:
    path = next((PACK / "accepted-rejected" / "Imports" / "Accepted").rglob("*Notification.xml"))

    accepted, taxed, cleared = parse_notifications(captured(path))

    assert [accepted.kind, taxed.kind, cleared.kind] == [
        NotificationKind.DMSACC,
        NotificationKind.DMSTAX,
        NotificationKind.DMSCLE,
    ]
    assert accepted.accepted_at == datetime(2017, 10, 1, tzinfo=UTC)
    assert {accepted.mrn, taxed.mrn, cleared.mrn} == {"18GBJCM3USAFD2WD51"}
    assert [(line.type_code, line.rate, line.payable) for line in taxed.items[0].lines] == [
        ("A00", Decimal("9.70"), Decimal("97.00")),
        ("B00", Decimal("20.00"), Decimal("219.40")),
    ]
    assert taxed.status_code == "4"
    assert cleared.statements == (Statement(code="A2", type_code="AFB"),)
    with pytest.raises(XmlRefused) as caught:
        parse_notification(captured(path))
    assert caught.value.reason == "wrong_root"


@pytest.fixture(scope="module")
def pack_notifications() -> list[dict[str, str]]:
    with (PACK / "samples_index.csv").open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["kind"] == "RES"]


def test_every_pack_notification_reads_with_its_function_code(
    pack_notifications: list[dict[str, str]],
) -> None:
    read, refused = {}, {}
    for row in pack_notifications:
        try:
            read[row["path"]] = parse_notifications(qualified(SAMPLES / row["path"]))
        except XmlRefused as error:
            refused[row["path"]] = error.reason

    assert refused == dict.fromkeys(DEFECTIVE_SAMPLES, "schema_invalid")
    assert len(read) == len(pack_notifications) - len(DEFECTIVE_SAMPLES) == 306
    assert {
        path: [notification.kind.value for notification in notifications]
        for path, notifications in read.items()
        if [notification.kind.value for notification in notifications]
        != [dict(row)["function_code"] for row in pack_notifications if row["path"] == path]
    } == {}


def test_every_pack_dmstax_reads_with_the_duties_of_the_pack_s_duty_table() -> None:
    with (PACK / "dmstax_expected_duties.csv").open(newline="", encoding="utf-8") as handle:
        rows = [
            row for row in csv.DictReader(handle) if row["dmstax_file"] not in DEFECTIVE_SAMPLES
        ]
    expected: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for row in rows:
        expected[row["dmstax_file"]].append(
            (
                int(row["item_seq"]),
                row["tax_type"],
                *(
                    Decimal(row[name]) if row[name] else None
                    for name in ("base_amount", "base_qty", "rate", "assessed", "payable")
                ),
            )
        )

    found = {}
    for path in expected:
        (notification,) = parse_notifications(qualified(SAMPLES / path))
        found[path] = [
            (
                item.sequence_numeric,
                line.type_code,
                line.base_amount,
                line.base_quantity,
                line.rate,
                line.assessed,
                line.payable,
            )
            for item in notification.items
            for line in item.lines
        ]

    assert len(found) > 100
    assert found == expected


def test_a_time_zone_offset_is_read_as_written() -> None:
    (notification,) = parse_notifications(
        qualified(SAMPLES / "TT_IM016a" / "Example_Notifications" / "06_DMSTAX.xml")
    )

    assert notification.issued_at == datetime(
        2023, 6, 5, 17, 40, 38, tzinfo=timezone(timedelta(hours=1))
    )
    assert notification.issued_at.astimezone(UTC).hour == 16


def test_an_unknown_function_code_is_refused_with_its_place() -> None:
    document = build_notification(example(NotificationKind.DMSACC)).replace(
        b"<FunctionCode>01<", b"<FunctionCode>99<"
    )

    with pytest.raises(XmlRefused) as caught:
        parse_notification(document)

    assert caught.value.reason == "schema_invalid"
    assert caught.value.errors[0][1] == "/MetaData/Response"
    assert "'99'" in caught.value.detail


def test_a_pack_notification_without_namespaces_is_the_wrong_root() -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_notification((SAMPLES / "Example_DMS_notifications" / "01_DMSACC.xml").read_bytes())

    assert caught.value.reason == "wrong_root"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issued_at": datetime(2024, 2, 22, 10, 9, 38)}, "timezone-aware"),
        ({"lrn": "L" * 36}, "maxLength"),
        ({"totals": (DutyPayment(payable=Decimal("0.005")),)}, "more than two decimals"),
        ({"errors": (DmsError("CDS123456"),)}, "maxLength"),
    ],
)
def test_data_the_schema_would_refuse_is_not_built(change: dict[str, object], message: str) -> None:
    fields = {"kind": NotificationKind.DMSREJ, "issued_at": ISSUED, "lrn": LRN, "version": 1}

    with pytest.raises(ValueError, match=message):
        build_notification(NotificationData(**{**fields, **change}))  # type: ignore[arg-type]

"""The trader's lodge form, drafts, file uploads and amendments, in a real browser."""

from __future__ import annotations

import re
import uuid
from typing import Any

import orjson
from sqlalchemy import func, select

from clearway.adapters.tables import declarations
from clearway.domain.access import Principal, Role
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.changes import AmendDeclaration, amend_declaration
from clearway.services.lodging import LodgeDeclaration, lodge_declaration
from tests.conftest import certified, example

BROKER = Principal("broker", Role.TRADER, "GB123456789000")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def stored_count(portal: Any, lrn: str) -> int:
    with portal.runtime.engine.connect() as connection:
        count: int = connection.execute(
            select(func.count()).select_from(declarations).where(declarations.c.lrn == lrn)
        ).scalar_one()
    return count


def lodged_as_broker(portal: Any, payload: dict[str, Any]) -> Any:
    parsed = parse_declaration(payload)
    command = LodgeDeclaration(parsed.declaration, parsed.document, BROKER)
    return lodge_declaration(command, portal.runtime.uow(), portal.runtime.context).record


def group(page: Any, name: str) -> Any:
    return page.get_by_role("group", name=name, exact=True)


def fill_party(page: Any, title: str, party: dict[str, Any]) -> None:
    box = group(page, title)
    box.get_by_label("Name", exact=True).fill(party["name"])
    if "id" in party:
        box.get_by_label("EORI number", exact=True).fill(party["id"])
    if "country" in party:
        box.get_by_label("Country", exact=True).fill(party["country"])
    address = party.get("address", {})
    for key, label in (("street", "Street"), ("city", "City"), ("postcode", "Postcode")):
        if key in address:
            box.get_by_label(label, exact=True).fill(address[key])
    if "country" in address:
        box.get_by_label("Address country", exact=True).fill(address["country"])


def fill_import(page: Any, lrn: str) -> dict[str, Any]:
    """Type the certified import example into the form, as a broker would."""
    payload = certified(example("import"))
    page.get_by_label("Declaration type").select_option(label="Import")
    page.get_by_label("Procedure").select_option(value=payload["procedure"])
    page.get_by_label("Local reference number (LRN)").fill(lrn)
    page.get_by_label("Customs office").select_option(payload["office"])
    page.get_by_label("Country of dispatch").fill(payload["dispatch_country"])
    page.get_by_label("Country of destination").fill(payload["destination_country"])
    declarant = group(page, "Declarant")
    assert declarant.get_by_label("EORI number").input_value() == "GB123456789000"
    fill_party(page, "Declarant", payload["declarant"])
    fill_party(page, "Importer", payload["importer"])
    fill_party(page, "Exporter", payload["exporter"])
    page.get_by_label("Mode of transport").select_option("sea")
    page.get_by_label("Vessel, flight or vehicle").fill(payload["transport"]["identity"])
    page.get_by_label("Nationality of the means of transport").fill("PA")
    page.get_by_label("Goods in containers").check()
    page.get_by_label("Incoterm", exact=True).select_option("FOB")
    page.get_by_label("Incoterm place").fill("Agadir")
    page.get_by_label("Invoice number").fill("SP-88231")
    page.get_by_label("Invoice currency").select_option("EUR")
    page.get_by_label("Invoice total").fill("18400.00")
    page.get_by_label("Freight currency").select_option("EUR")
    page.get_by_label("Freight amount").fill("1350.00")
    page.get_by_label("Insurance currency").select_option("EUR")
    page.get_by_label("Insurance amount").fill("92.00")
    item = group(page, "Item 1")
    goods = payload["items"][0]
    item.get_by_label("Commodity code").fill(goods["commodity_code"])
    item.get_by_label("Country of origin").fill("MA")
    item.get_by_label("Preference").fill("300")
    item.get_by_label("Description of goods").fill(goods["description"])
    item.get_by_label("Item price").fill("18400.00")
    item.get_by_label("Net mass (kg)").fill("16000")
    item.get_by_label("Gross mass (kg)").fill("17250")
    item.get_by_label("Kind of packages").select_option("CT")
    item.get_by_label("Number of packages").fill("3200")
    item.get_by_label("Shipping marks").fill("SOUSS/NWT/1-3200")
    documents = [(d["type"], d["reference"]) for d in goods["documents"]]
    for number, (kind, reference) in enumerate(documents, start=1):
        if number > 1:
            item.get_by_role("button", name="Add a document to item 1").click()
            item = group(page, "Item 1")
        item.get_by_label(f"Document {number} type").select_option(kind)
        item.get_by_label(f"Document {number} reference").fill(reference)
    return payload


def test_broker_lodges_the_import_example_through_the_form(
    page: Any, sign_in: Any, portal: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "broker")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Lodge a declaration"
    ).click()
    page.wait_for_url(re.compile(r"/trader/lodge$"))
    shoot(page, "lodge-form")
    accessible(page, "lodge-form")
    lrn = unique("NWT")
    fill_import(page, lrn)

    # A second item, added with the keyboard, then removed: item 1 keeps what was typed.
    page.get_by_role("button", name="Add item").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Goods items (2)").wait_for()
    assert page.evaluate("document.activeElement.id") == "f-items.1.commodity_code"
    group(page, "Item 2").get_by_label("Commodity code").fill("0709600000")
    page.get_by_role("button", name="Remove item 2").click()
    page.get_by_role("heading", name="Goods items (1)").wait_for()
    assert group(page, "Item 1").get_by_label("Gross mass (kg)").input_value() == "17250"
    assert group(page, "Item 1").get_by_label("Document 3 type").input_value() == "N851"

    page.get_by_role("button", name="Lodge declaration").click()
    page.wait_for_url(re.compile(r"/trader/declarations/[0-9a-f-]+$"))
    with portal.runtime.engine.connect() as connection:
        mrn = connection.execute(
            select(declarations.c.mrn).where(declarations.c.lrn == lrn)
        ).scalar_one()
    assert page.get_by_role("status").inner_text() == f"Declaration lodged: MRN {mrn}."
    assert mrn in page.locator("main").inner_text()
    assert page.script_errors == []

    # The form is the trader's: an officer is refused it.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "officer")
    response = page.goto("/trader/lodge")
    assert response.status == 403
    assert "officer role may not lodge" in page.locator("main").inner_text()


def test_three_mistakes_are_all_shown_and_nothing_is_lodged(
    page: Any, sign_in: Any, portal: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "broker")
    page.goto("/trader/lodge")
    lrn = unique("BAD")
    fill_import(page, lrn)
    item = group(page, "Item 1")
    item.get_by_label("Commodity code").fill("0702000")
    item.get_by_label("Country of origin").fill("XX")
    item.get_by_label("Gross mass (kg)").fill("15000")
    page.get_by_role("button", name="Lodge declaration").click()

    summary = page.get_by_role("alert")
    links = summary.get_by_role("link")
    assert links.count() == 3
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        "#f-items.0.commodity_code",
        "#f-items.0.origin_country",
        "#f-items.0.gross_mass_kg",
    ]
    assert "0702000 has 7 digits" in links.nth(0).inner_text()
    item = group(page, "Item 1")
    assert "has 7 digits" in item.locator("#f-items\\.0\\.commodity_code-error").inner_text()
    assert (
        "'XX' is not an ISO 3166-1"
        in item.locator("#f-items\\.0\\.origin_country-error").inner_text()
    )
    assert "15000" in item.locator("#f-items\\.0\\.gross_mass_kg-error").inner_text()
    assert item.get_by_label("Gross mass (kg)").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links.nth(1).click()
    assert page.evaluate("document.activeElement.id") == "f-items.0.origin_country"
    assert stored_count(portal, lrn) == 0
    shoot(page, "lodge-errors")
    accessible(page, "lodge-errors")
    assert page.script_errors == []


def test_a_server_draft_is_resumed_after_signing_out_and_in(
    page: Any, sign_in: Any, shoot: Any, accessible: Any
) -> None:
    sign_in(page, "broker")
    page.goto("/trader/lodge")
    lrn = unique("DRAFT")
    page.get_by_label("Local reference number (LRN)").fill(lrn)
    group(page, "Importer").get_by_label("Name", exact=True).fill("Northwind Fresh Produce Ltd")
    page.get_by_role("button", name="Add item").click()
    group(page, "Item 2").get_by_label("Description of goods").fill("Fresh courgettes")
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_role("status").inner_text().startswith(f"Draft saved: IM {lrn}.")

    page.get_by_role("button", name="Sign out").click()
    page.evaluate("window.localStorage.clear()")
    sign_in(page, "broker")
    page.goto("/trader/lodge")
    page.get_by_role("link", name=f"Resume IM {lrn}").click()
    assert page.get_by_label("Local reference number (LRN)").input_value() == lrn
    importer = group(page, "Importer").get_by_label("Name", exact=True)
    assert importer.input_value() == "Northwind Fresh Produce Ltd"
    assert group(page, "Item 2").get_by_label("Description of goods").input_value() == (
        "Fresh courgettes"
    )
    shoot(page, "lodge-draft")
    accessible(page, "lodge-draft")
    page.get_by_role("button", name=f"Delete draft IM {lrn}").click()
    assert page.get_by_role("status").inner_text() == f"Draft deleted: IM {lrn}."
    assert page.get_by_role("link", name=f"Resume IM {lrn}").count() == 0
    assert page.script_errors == []


def test_the_browser_draft_survives_a_reload(page: Any, sign_in: Any) -> None:
    sign_in(page, "broker")
    page.goto("/trader/lodge")
    page.get_by_label("Local reference number (LRN)").fill("KEPT-IN-BROWSER")
    group(page, "Item 1").get_by_label("Net mass (kg)").fill("16000")
    page.reload()
    assert page.get_by_label("Local reference number (LRN)").input_value() == "KEPT-IN-BROWSER"
    assert group(page, "Item 1").get_by_label("Net mass (kg)").input_value() == "16000"
    assert page.locator(".draft-note").inner_text().startswith("Draft restored from")
    assert page.script_errors == []


def test_a_party_name_with_markup_is_shown_back_as_text(page: Any, sign_in: Any) -> None:
    sign_in(page, "broker")
    page.goto("/trader/lodge")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    name = '<script>alert("x")</script> Northwind'
    group(page, "Importer").get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Lodge declaration").click()
    assert page.get_by_role("alert").is_visible()
    assert group(page, "Importer").get_by_label("Name", exact=True).input_value() == name
    assert page.locator("main script").count() == 0
    assert dialogs == []
    assert page.script_errors == []


def upload(page: Any, name: str, data: bytes, mime: str = "application/json") -> None:
    page.get_by_label("File").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="Upload and lodge").click()
    page.wait_for_load_state()


def test_a_json_file_is_lodged(
    page: Any, sign_in: Any, portal: Any, shoot: Any, accessible: Any, tmp_path: Any
) -> None:
    sign_in(page, "broker")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Upload a file").click()
    shoot(page, "upload-form")
    accessible(page, "upload-form")
    payload = certified(example("import"))
    payload["lrn"] = unique("FILE")
    upload(page, "northwind.json", orjson.dumps(payload))
    page.wait_for_url(re.compile(r"/trader/declarations/[0-9a-f-]+$"))
    assert stored_count(portal, payload["lrn"]) == 1
    assert re.fullmatch(
        r"Declaration lodged from northwind\.json: MRN \w{18}\.",
        page.get_by_role("status").inner_text(),
    )

    page.goto("/trader/upload")
    payload["lrn"] = unique("FILE")
    payload["items"][0]["net_mass_kg"] = "heavy"
    upload(page, "broken.json", orjson.dumps(payload))
    assert "broken.json was not lodged: 1 problem found." in page.get_by_role("alert").inner_text()
    assert "Item 1: Enter the net mass (kg) as a number" in page.get_by_role("alert").inner_text()
    assert stored_count(portal, payload["lrn"]) == 0

    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (21 * 1024 * 1024))
    page.get_by_label("File").set_input_files(huge)
    page.get_by_role("button", name="Upload and lodge").click()
    # Refused in the browser before it is sent, in words, at the limit the hint gives.
    limit = re.search(r"at most ([\d.]+ MB)", page.locator("#f-file-hint").inner_text())
    assert limit is not None
    assert page.get_by_role("alert").inner_text() == (
        f"The file is larger than {limit.group(1)}. Split it into smaller files and upload each."
    )
    assert page.get_by_label("File").get_attribute("aria-invalid") == "true"
    assert page.script_errors == []


def test_a_json_lines_file_is_lodged_with_progress_totals_and_refusals(
    page: Any, sign_in: Any, shoot: Any, accessible: Any, tmp_path: Any
) -> None:
    batch = unique("BULK")
    lines = []
    for number in range(1, 31):
        payload = certified(example("import"))
        payload["lrn"] = f"{batch}-{number:02d}"
        if number == 7:
            lines.append(b'{"type": "IM", "lrn": "not closed"')
            continue
        if number == 15:
            payload["items"][0]["commodity_code"] = "tomatoes"
        if number == 22:
            payload["items"][0]["gross_mass_kg"] = "100"
        lines.append(orjson.dumps(payload))
    sign_in(page, "broker")
    page.goto("/trader/upload")
    upload(page, "november.jsonl", b"\n".join(lines) + b"\n", "application/x-ndjson")
    page.wait_for_url(re.compile(r"/trader/upload/[0-9a-f-]+$"))
    assert page.get_by_role("heading", name="Lodging november.jsonl").is_visible()
    assert page.get_by_label("Progress through the file").is_visible()
    page.get_by_role("heading", name="Done").wait_for(timeout=60_000)

    def total(name: str) -> str:
        text: str = page.locator(f"[data-total={name}]").inner_text()
        return text

    assert (total("read"), total("lodged"), total("replayed"), total("refused")) == (
        "30",
        "27",
        "0",
        "3",
    )
    outcomes = page.get_by_role("table").first.locator("tbody tr")
    counted = [row.locator("td").last.inner_text() for row in outcomes.all()]
    assert sum(int(count) for count in counted) == 27
    assert re.match(r"(Released|Held) \(", outcomes.first.inner_text())
    refused = page.locator("table.refusals tbody tr")
    assert [refused.nth(i).locator("td").first.inner_text() for i in range(3)] == ["7", "15", "22"]
    assert "Item 1: Enter the commodity code as 6 to 10 digits" in refused.nth(1).inner_text()
    assert "Item 1: Gross mass (kg)" in refused.nth(2).inner_text()
    shoot(page, "upload-bulk")
    accessible(page, "upload-bulk")

    with page.expect_download() as waiting:
        page.get_by_role("link", name=re.compile("Download the refusals")).click()
    download = waiting.value
    assert download.suggested_filename == "november-refusals.jsonl"
    path = tmp_path / "refusals.jsonl"
    download.save_as(path)
    refusals = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [(r["line"], r["lrn"]) for r in refusals] == [
        (7, None),
        (15, f"{batch}-15"),
        (22, f"{batch}-22"),
    ]
    assert refusals[0]["errors"][0]["code"] == "SCHEMA.json_invalid"
    assert refusals[1]["errors"][0]["pointer"] == "/items/0/commodity_code"
    assert [e["pointer"] for e in refusals[2]["errors"]] == ["/items/0/gross_mass_kg"]
    assert page.script_errors == []


def test_an_amendment_makes_version_two_and_a_stale_one_is_refused(
    page: Any, sign_in: Any, portal: Any, shoot: Any, accessible: Any
) -> None:
    # Without its certificate the import is held for a document check: still amendable.
    payload = example("import")
    payload["lrn"] = unique("AMEND")
    record = lodged_as_broker(portal, payload)
    sign_in(page, "broker")
    page.goto(f"/trader/declarations/{record.id}/amend")
    assert page.get_by_role("heading", name=f"Amend declaration {record.mrn}").is_visible()
    item = group(page, "Item 1")
    assert item.get_by_label("Gross mass (kg)").input_value() == "17250"
    shoot(page, "amend-form")
    accessible(page, "amend-form")
    item.get_by_label("Gross mass (kg)").fill("17300")
    page.get_by_role("button", name="Send the amendment").click()
    page.wait_for_url(re.compile(rf"/trader/declarations/{record.id}$"))
    assert page.get_by_role("status").inner_text() == (
        f"Declaration {record.mrn} amended: now version 2."
    )
    assert re.search(r"Version\s+2", page.locator("main").inner_text())

    # Opened at version 2; someone else amends it to version 3 meanwhile.
    page.goto(f"/trader/declarations/{record.id}/amend")
    group(page, "Item 1").get_by_label("Net mass (kg)").fill("15900")
    other = example("import")
    other["lrn"] = payload["lrn"]
    other["items"][0]["gross_mass_kg"] = "17400"
    parsed = parse_declaration(other)
    amend_declaration(
        AmendDeclaration(record.id, parsed.declaration, parsed.document, BROKER, 2),
        portal.runtime.uow(),
        portal.runtime.context,
    )
    page.get_by_role("button", name="Send the amendment").click()
    alert = page.get_by_role("alert").inner_text()
    assert "it is now at version 3, you opened version 2" in alert
    assert group(page, "Item 1").get_by_label("Net mass (kg)").input_value() == "15900"
    page.get_by_role("link", name="Open the current version (version 3) to amend it").click()
    assert group(page, "Item 1").get_by_label("Gross mass (kg)").input_value() == "17400"
    shoot(page, "amend-stale")
    assert page.script_errors == []

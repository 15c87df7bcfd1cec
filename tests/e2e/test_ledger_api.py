"""The ledger through the API, on SQLite and PostgreSQL: every outbox event of a lodged
declaration becomes a leaf; the checkpoint is signed by the published key; proofs and roots
agree with an independent RFC 9162 implementation (pymerkle) and with the RFC's verification
algorithm written out here from its text; witnesses cosign; tampering stops the signing."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymerkle import InmemoryTree
from sqlalchemy import func, select, update

from clearway.adapters.ledger_store import LedgerIntegrityError
from clearway.adapters.ledger_tables import ledger_entries, ledger_nodes
from clearway.adapters.tables import events
from clearway.bootstrap import Runtime
from clearway.domain.ledger import Checkpoint, Note, border_node_ids, open_note
from clearway.entrypoints.ledger_worker import ledger_store
from clearway.services.ledger.entries import read_entry
from clearway.services.ledger.receipts import ReceiptError, verify_receipt
from clearway.services.ledger.signing import SigningKey, note_verifier, read_verifier_key
from tests.conftest import LEDGER_ORIGIN, example

LEDGER = "/api/v1/ledger"


def _rfc9162_root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2, step by step (independent of the product's verifier)."""
    fn, sn, r = index, size - 1, leaf
    for p in path:
        assert sn != 0
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    assert sn == 0
    return r


def _checkpoint(api: Any, public_key: Path) -> Checkpoint:
    answer = api.get(f"{LEDGER}/checkpoint")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    opened = open_note(answer.text, [note_verifier(read_verifier_key(public_key))])
    return Checkpoint.parse(opened.text)


@pytest.fixture
def lodged(runtime: Runtime, lodge: Any) -> str:
    answer = lodge(example("import"))
    assert answer.status_code == 201, answer.text
    ledger_store(runtime).integrate_all()
    declaration_id: str = answer.json()["id"]
    return declaration_id


def test_every_event_is_a_leaf_under_a_signed_checkpoint(
    api: Any, runtime: Runtime, lodged: str, ledger_keys: tuple[Path, Path]
) -> None:
    with runtime.engine.connect() as connection:
        stored_events = connection.execute(select(func.count()).select_from(events)).scalar_one()
    checkpoint = _checkpoint(api, ledger_keys[1])
    assert checkpoint.origin == LEDGER_ORIGIN
    assert checkpoint.size == stored_events >= 3  # lodged, accepted, assessed, laned …

    listed = api.get(
        f"{LEDGER}/entries", params={"start": 0, "end": checkpoint.size}, headers=api.as_("auditor")
    )
    assert listed.status_code == 200
    entries = [base64.b64decode(item["entry"]) for item in listed.json()]
    assert [item["index"] for item in listed.json()] == list(range(checkpoint.size))
    read = [read_entry(entry) for entry in entries]
    assert [entry.sequence for entry in read] == sorted(entry.sequence for entry in read)
    assert read[0].type == "DeclarationLodged" and read[0].declaration_id == lodged
    assert {entry.declaration_id for entry in read} == {lodged}

    independent = InmemoryTree(algorithm="sha256")
    for entry in entries:
        independent.append_entry(entry)
    assert independent.get_root(checkpoint.size) == checkpoint.root_hash

    for index, entry in enumerate(entries):
        proof = api.get(
            f"{LEDGER}/proof/inclusion", params={"index": index, "tree_size": checkpoint.size}
        ).json()
        assert proof["leaf_index"] == index and proof["tree_size"] == checkpoint.size
        path = [base64.b64decode(item) for item in proof["hashes"]]
        leaf = hashlib.sha256(b"\x00" + entry).digest()
        assert _rfc9162_root_from_path(leaf, index, checkpoint.size, path) == checkpoint.root_hash


def test_a_later_checkpoint_is_proved_consistent_with_an_earlier_one(
    api: Any, runtime: Runtime, lodged: str, lodge: Any, ledger_keys: tuple[Path, Path]
) -> None:
    first = _checkpoint(api, ledger_keys[1])
    payload = example("import")
    payload["lrn"] = "LEDGER-SECOND-0001"
    assert lodge(payload).status_code == 201
    ledger_store(runtime).integrate_all()
    second = _checkpoint(api, ledger_keys[1])
    assert second.size > first.size

    answer = api.get(
        f"{LEDGER}/proof/consistency", params={"first": first.size, "second": second.size}
    ).json()
    assert answer["first"] == first.size and answer["second"] == second.size
    from clearway.domain.ledger import verify_consistency

    proof = [base64.b64decode(item) for item in answer["hashes"]]
    verify_consistency(first.size, second.size, first.root_hash, second.root_hash, proof)
    # The independent tree agrees on both roots.
    entries = api.get(
        f"{LEDGER}/entries", params={"start": 0, "end": second.size}, headers=api.as_("auditor")
    ).json()
    independent = InmemoryTree(algorithm="sha256")
    for item in entries:
        independent.append_entry(base64.b64decode(item["entry"]))
    assert independent.get_root(first.size) == first.root_hash
    assert independent.get_root(second.size) == second.root_hash


def test_the_key_is_published_and_bad_requests_are_problems(
    api: Any, lodged: str, ledger_keys: tuple[Path, Path]
) -> None:
    key = api.get(f"{LEDGER}/key").json()
    assert key == {
        "origin": LEDGER_ORIGIN,
        "verifier_key": ledger_keys[1].read_text().strip(),
    }
    size = _checkpoint(api, ledger_keys[1]).size
    beyond = api.get(f"{LEDGER}/proof/inclusion", params={"index": size, "tree_size": size})
    assert beyond.status_code == 400
    assert beyond.headers["content-type"] == "application/problem+json"
    assert f"leaf {size} is not in a tree of {size}" in beyond.json()["detail"]
    unsigned = api.get(f"{LEDGER}/proof/inclusion", params={"index": 0, "tree_size": size + 5})
    assert unsigned.status_code == 400
    assert f"no checkpoint at tree size {size + 5}" in unsigned.json()["detail"]
    backwards = api.get(f"{LEDGER}/proof/consistency", params={"first": size, "second": 1})
    assert backwards.status_code == 400
    trader = api.get(f"{LEDGER}/entries", params={"start": 0, "end": 1}, headers=api.as_("broker"))
    assert trader.status_code == 403
    too_many = api.get(
        f"{LEDGER}/entries", params={"start": 0, "end": 5000}, headers=api.as_("auditor")
    )
    assert too_many.status_code == 400 and "at most 1000" in too_many.json()["detail"]


def test_a_registered_witness_cosigns_and_its_signature_is_served(
    api: Any, lodged: str, ledger_keys: tuple[Path, Path]
) -> None:
    witness = SigningKey.generate("agency.example/witness")
    witness_key = str(witness.verifier_key(0x04))
    registered = api.post(
        f"{LEDGER}/witnesses",
        json={"name": "agency.example/witness", "verifier_key": witness_key},
        headers=api.as_("admin"),
    )
    assert registered.status_code == 201, registered.text
    refused = api.post(
        f"{LEDGER}/witnesses",
        json={"name": "other", "verifier_key": witness_key},
        headers=api.as_("admin"),
    )
    assert refused.status_code == 400 and "named 'agency.example/witness'" in refused.text

    served = api.get(f"{LEDGER}/checkpoint").text
    body = open_note(served, [note_verifier(read_verifier_key(ledger_keys[1]))]).text
    moment = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    cosigned = Note(body).signed(witness.cosigner(lambda: moment)).to_text()
    answer = api.post(
        f"{LEDGER}/cosignatures",
        content=cosigned,
        headers={"content-type": "text/plain"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"witnesses": ["agency.example/witness"]}
    with_cosignature = api.get(f"{LEDGER}/checkpoint").text
    assert with_cosignature.startswith(served)
    assert with_cosignature.splitlines()[-1].startswith("— agency.example/witness ")

    # A cosignature over another body, or by an unregistered key, is refused.
    signed = Checkpoint.parse(body)
    forged = Note(Checkpoint(signed.origin, signed.size + 1, signed.root_hash).to_body())
    other = api.post(
        f"{LEDGER}/cosignatures",
        content=forged.signed(witness.cosigner(lambda: moment)).to_text(),
        headers={"content-type": "text/plain"},
    )
    assert other.status_code == 400 and "signed no checkpoint" in other.json()["detail"]
    stranger = SigningKey.generate("stranger.example/witness")
    unknown = api.post(
        f"{LEDGER}/cosignatures",
        content=Note(body).signed(stranger.cosigner(lambda: moment)).to_text(),
        headers={"content-type": "text/plain"},
    )
    assert unknown.status_code == 400 and "no cosignature from a registered witness" in unknown.text


def test_the_log_refuses_to_sign_over_an_altered_tree(
    runtime: Runtime, lodged: str, lodge: Any
) -> None:
    with runtime.engine.begin() as connection:
        size = connection.execute(select(func.count()).select_from(ledger_entries)).scalar_one()
        level, position = border_node_ids(size)[0]
        connection.execute(
            update(ledger_nodes)
            .where(ledger_nodes.c.level == level, ledger_nodes.c.position == position)
            .values(hash=b"\x00" * 32)
        )
    payload = example("import")
    payload["lrn"] = "LEDGER-AFTER-TAMPER"
    assert lodge(payload).status_code == 201
    with pytest.raises(LedgerIntegrityError, match="no longer has the root signed at size"):
        ledger_store(runtime).integrate_all()


def test_a_trader_gets_a_receipt_that_verifies_offline(
    api: Any, lodged: str, ledger_keys: tuple[Path, Path]
) -> None:
    answer = api.get(f"/api/v1/declarations/{lodged}/receipt", headers=api.as_("broker"))
    assert answer.status_code == 200, answer.text
    receipt = answer.json()
    verified = verify_receipt(receipt, read_verifier_key(ledger_keys[1]))
    assert verified.declaration_id == lodged
    assert verified.entry.type == receipt["claims"]["type"]
    # The receipt is for the newest event that tells nothing of the selection (its assessment,
    # not the lane), in the newest signed tree; an officer's is for the newest event.
    checkpoint = _checkpoint(api, ledger_keys[1])
    assert receipt["tree_size"] == checkpoint.size
    assert receipt["claims"]["type"] == "DeclarationAssessed"
    assert receipt["leaf_index"] < checkpoint.size - 1
    officers = api.get(f"/api/v1/declarations/{lodged}/receipt", headers=api.as_("officer"))
    assert officers.json()["leaf_index"] == checkpoint.size - 1
    # Another trader cannot see the declaration, so gets no receipt either.
    stranger = api.get(f"/api/v1/declarations/{lodged}/receipt", headers=api.as_("stranger"))
    assert stranger.status_code == 404
    # A claim changed after the fact no longer verifies.
    receipt["claims"]["status"] = "released" if verified.entry.status != "released" else "held"
    with pytest.raises(ReceiptError, match="status"):
        verify_receipt(receipt, read_verifier_key(ledger_keys[1]))


def test_no_receipt_before_the_declaration_is_logged(api: Any, lodge: Any) -> None:
    answer = lodge(example("import"))
    receipt = api.get(
        f"/api/v1/declarations/{answer.json()['id']}/receipt", headers=api.as_("broker")
    )
    assert receipt.status_code == 404
    assert "no event in a signed checkpoint yet" in receipt.json()["detail"]

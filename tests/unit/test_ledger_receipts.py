"""Receipts verified offline: a real log grown with the compact appender, real Ed25519 keys,
real entries of real events; every tampering a holder might try is refused with its reason.

``SmallLog`` is the log the witness, audit and CLI tests build on too.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from clearway.domain.events import (
    DECLARATION_ACCEPTED,
    DECLARATION_LODGED,
    DECLARATION_REJECTED,
    DECLARATION_RELEASED,
    LICENCE_ISSUED,
    Event,
)
from clearway.domain.ledger import (
    Checkpoint,
    NodeId,
    Note,
    RightBorder,
    append_leaves,
    assemble_proof,
    assemble_root,
    consistency_plan,
    inclusion_plan,
    leaf_hash,
    root_plan,
)
from clearway.services.ledger.entries import event_entry
from clearway.services.ledger.receipts import (
    ReceiptError,
    build_receipt,
    verify_receipt,
)
from clearway.services.ledger.signing import SigningKey

ORIGIN = "clearway.test/ledger"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Each declaration's life, one event per step: what a log of a busy hour holds.
LIFE = [
    (DECLARATION_LODGED, "lodged"),
    (DECLARATION_ACCEPTED, "accepted"),
    (DECLARATION_RELEASED, "released"),
]


def clearance_events(count: int, first: int = 0) -> list[Event]:
    """``count`` events of declarations going through their lives, three declarations at a
    time, each with a fixed id so that two runs give the same entries."""
    made = []
    for n in range(first, first + count):
        kind, status = LIFE[(n // 3) % len(LIFE)]
        if n % 11 == 10:
            kind, status = DECLARATION_REJECTED, "rejected"
        made.append(
            Event(
                type=kind,
                declaration_id=f"0195a3c2-0000-7000-8000-{n % 3 + 3 * (n // 9):012d}",
                version=1 + (n // 3) % len(LIFE),
                status=status,
                actor="broker:northwind" if kind == DECLARATION_LODGED else "system",
                data={"mrn": f"26GB{n:014d}", "customs_value": f"{1000 + 17 * n}.50"},
                occurred_at=NOW + timedelta(seconds=30 * n),
                id=f"0195a3c2-1111-7000-8000-{n:012d}",
            )
        )
    return made


@dataclass
class SmallLog:
    """A log as the integrator keeps it: entries, every perfect subtree, signed checkpoints."""

    key: SigningKey = field(default_factory=lambda: SigningKey.generate(ORIGIN))
    origin: str = ORIGIN
    events: list[Event] = field(default_factory=list)
    entries: list[bytes] = field(default_factory=list)
    nodes: dict[NodeId, bytes] = field(default_factory=dict)
    checkpoints: dict[int, str] = field(default_factory=dict)
    border: RightBorder = field(default_factory=RightBorder.empty)

    @classmethod
    def of(cls, *sizes: int, key: SigningKey | None = None) -> SmallLog:
        """A log grown to each size in turn, with a checkpoint signed at each."""
        log = cls(key=key or SigningKey.generate(ORIGIN))
        for size in sizes:
            log.grow(clearance_events(size - len(log.entries), len(log.entries)))
        return log

    def sequence(self, index: int) -> int:
        """The outbox sequence of leaf ``index``: the outbox skips numbers (rolled back)."""
        return 2 * index + 1

    def grow(self, events: list[Event]) -> str:
        """Append the events as leaves and sign the grown tree; its checkpoint note."""
        start = len(self.entries)
        added = [event_entry(self.sequence(start + n), e) for n, e in enumerate(events)]
        appended = append_leaves(self.border, [leaf_hash(entry) for entry in added])
        self.events += events
        self.entries += added
        self.nodes.update(appended.nodes)
        self.border = appended.border
        note = self.sign(Checkpoint(self.origin, self.border.size, appended.root))
        self.checkpoints[self.border.size] = note
        return note

    def sign(self, checkpoint: Checkpoint, key: SigningKey | None = None) -> str:
        signer = (key or self.key).note_signer()
        return Note(checkpoint.to_body()).signed(signer).to_text()

    def root(self, size: int) -> bytes:
        plan = root_plan(size)
        return assemble_root(plan, self.nodes)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return assemble_proof(inclusion_plan(index, size), self.nodes)

    def consistency(self, first: int, second: int) -> list[bytes]:
        return assemble_proof(consistency_plan(first, second), self.nodes)

    def receipt(self, index: int, size: int) -> dict[str, Any]:
        return build_receipt(
            origin=self.origin,
            entry=self.entries[index],
            leaf_index=index,
            tree_size=size,
            inclusion_proof=self.inclusion(index, size),
            checkpoint=self.checkpoints[size],
        )


@pytest.fixture(scope="module")
def log() -> SmallLog:
    return SmallLog.of(4, 7, 8, 12)


def refused(receipt: dict[str, Any], log: SmallLog) -> str:
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(receipt, log.key.verifier_key())
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_receipt_proves_its_event_is_in_the_signed_log(log: SmallLog) -> None:
    receipt = log.receipt(8, 12)
    assert receipt["claims"] == {
        "sequence": 17,
        "type": DECLARATION_RELEASED,
        "status": "released",
        "version": 3,
        "declaration_id": "0195a3c2-0000-7000-8000-000000000002",
    }
    assert receipt["declaration_id"] == "0195a3c2-0000-7000-8000-000000000002"
    # It travels as JSON and is verified from the JSON alone.
    travelled = orjson.loads(orjson.dumps(receipt))
    verified = verify_receipt(travelled, str(log.key.verifier_key()))
    assert (verified.leaf_index, verified.tree_size, verified.origin) == (8, 12, ORIGIN)
    assert verified.entry.status == "released"
    assert verified.entry.event_id == "0195a3c2-1111-7000-8000-000000000008"
    assert verified.checkpoint.root_hash == log.root(12)
    assert verified.cosigners == ()


def test_every_leaf_verifies_under_every_checkpoint_that_holds_it(log: SmallLog) -> None:
    verifier = log.key.verifier_key()
    for size in log.checkpoints:
        for index in range(size):
            assert verify_receipt(log.receipt(index, size), verifier).leaf_index == index


def test_a_flipped_bit_in_the_proof_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(5, 12)
    hashes = [bytearray(base64.b64decode(value)) for value in receipt["inclusion_proof"]]
    hashes[1][7] ^= 0x10
    receipt["inclusion_proof"] = [base64.b64encode(value).decode() for value in hashes]
    assert refused(receipt, log) == "the inclusion proof does not lead to the checkpoint's root"


def test_a_proof_with_a_hash_missing_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(5, 12)
    receipt["inclusion_proof"] = receipt["inclusion_proof"][:-1]
    assert refused(receipt, log) == "inclusion proof has 3 hashes, the tree sizes call for 4"


def test_a_proof_under_another_checkpoint_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(2, 7)
    receipt["checkpoint"] = log.checkpoints[8]
    assert refused(receipt, log) == "the checkpoint is at tree size 8, the receipt claims 7"
    # Claiming the size of the checkpoint swapped in does not make the older proof fit it,
    # though the proofs of leaf 2 in trees of 7 and 8 have the same length.
    receipt["tree_size"] = 8
    assert refused(receipt, log) == "the inclusion proof does not lead to the checkpoint's root"


def test_a_checkpoint_not_signed_by_the_log_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(2, 7)
    impostor = SigningKey.generate(ORIGIN)
    receipt["checkpoint"] = log.sign(Checkpoint(ORIGIN, 7, log.root(7)), impostor)
    key = log.key.verifier_key()
    assert refused(receipt, log) == (
        f"the checkpoint is not signed by the log key {ORIGIN}+{key.key_id:08x}"
    )


def test_a_checkpoint_edited_after_signing_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(2, 7)
    body, signatures = receipt["checkpoint"].split("\n\n")
    origin, size, _ = body.split("\n")
    other_root = base64.b64encode(log.root(6)).decode()
    receipt["checkpoint"] = f"{origin}\n{size}\n{other_root}\n\n{signatures}"
    key = log.key.verifier_key()
    assert refused(receipt, log) == (
        f"the log's signature on the checkpoint does not verify ({ORIGIN}+{key.key_id:08x})"
    )


def test_a_checkpoint_of_another_log_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(2, 7)
    receipt["origin"] = "other.example/ledger"
    assert refused(receipt, log) == (
        f"the checkpoint is of the log {ORIGIN!r}, the receipt names 'other.example/ledger'"
    )


@pytest.mark.parametrize(
    ("claim", "value", "message"),
    [
        ("status", "rejected", "the entry's status is 'released', the receipt claims 'rejected'"),
        ("version", 2, "the entry's version is 3, the receipt claims 2"),
        ("version", 3.0, "the entry's version is 3, the receipt claims 3.0"),
        ("sequence", 19, "the entry's sequence is 17, the receipt claims 19"),
        (
            "type",
            DECLARATION_ACCEPTED,
            "the entry's type is 'DeclarationReleased', the receipt claims 'DeclarationAccepted'",
        ),
        (
            "declaration_id",
            "0195a3c2-0000-7000-8000-000000000009",
            "the entry's declaration_id is '0195a3c2-0000-7000-8000-000000000002', "
            "the receipt claims '0195a3c2-0000-7000-8000-000000000009'",
        ),
    ],
)
def test_a_claim_the_entry_does_not_make_is_refused(
    log: SmallLog, claim: str, value: object, message: str
) -> None:
    receipt = log.receipt(8, 12)
    receipt["claims"][claim] = value
    assert refused(receipt, log) == message


def test_a_receipt_for_another_declaration_than_its_entry_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(8, 12)
    receipt["declaration_id"] = "0195a3c2-0000-7000-8000-000000000009"
    assert refused(receipt, log) == (
        "the entry's declaration_id is '0195a3c2-0000-7000-8000-000000000002', "
        "the receipt is for '0195a3c2-0000-7000-8000-000000000009'"
    )


def test_an_entry_rewritten_to_say_otherwise_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(8, 12)
    entry = log.entries[8].replace(b'"status":"released"', b'"status":"rejected"')
    receipt["entry"] = base64.b64encode(entry).decode()
    receipt["claims"]["status"] = "rejected"
    assert refused(receipt, log) == "the inclusion proof does not lead to the checkpoint's root"


def test_an_entry_not_in_canonical_form_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(8, 12)
    spaced = json.dumps(json.loads(log.entries[8]), sort_keys=True, indent=1).encode()
    receipt["entry"] = base64.b64encode(spaced).decode()
    assert refused(receipt, log) == "the entry is not in RFC 8785 canonical form"


def test_a_leaf_index_other_than_the_proofs_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(5, 7)
    receipt["leaf_index"] = 7
    assert refused(receipt, log) == "leaf 7 is not in a tree of size 7"
    receipt["leaf_index"] = 4
    assert refused(receipt, log) == "the inclusion proof does not lead to the checkpoint's root"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "clearway-receipt/v2"}, "the receipt's format is 'clearway-receipt/v2', not"),
        ({"leaf_index": -1}, "the receipt's leaf_index is not a non-negative integer"),
        ({"tree_size": True}, "the receipt's tree_size is not a non-negative integer"),
        ({"entry": "not base64!"}, "the entry is not standard base64"),
        ({"inclusion_proof": "AAAA"}, "the receipt's inclusion_proof is not a list"),
        ({"checkpoint": "clearway.test/ledger\n12\n"}, "the checkpoint is not a signed note"),
        ({"witnessed": True}, "the receipt has members clearway-receipt/v1 does not define"),
    ],
)
def test_a_receipt_out_of_form_says_what_is_wrong(
    log: SmallLog, change: dict[str, Any], message: str
) -> None:
    receipt = {**log.receipt(3, 4), **change}
    assert refused(receipt, log).startswith(message)


def test_a_receipt_without_a_claim_member_is_refused(log: SmallLog) -> None:
    receipt = log.receipt(3, 4)
    del receipt["claims"]["version"]
    assert refused(receipt, log) == (
        "the receipt's claims must be exactly sequence, type, status, version, declaration_id"
    )
    del receipt["claims"]
    assert refused(receipt, log) == "the receipt lacks claims"


def test_a_cosigned_checkpoint_still_verifies_and_names_its_cosigners(log: SmallLog) -> None:
    receipt = log.receipt(10, 12)
    witness = SigningKey.generate("border-agency.example/witness")
    cosigner = witness.cosigner(lambda: NOW)
    body = Checkpoint(ORIGIN, 12, log.root(12)).to_body()
    receipt["checkpoint"] = Note(body).signed(log.key.note_signer(), cosigner).to_text()
    verified = verify_receipt(receipt, log.key.verifier_key())
    assert verified.cosigners == ("border-agency.example/witness",)


def test_a_licence_event_has_no_receipt() -> None:
    licence = Event(
        type=LICENCE_ISSUED,
        declaration_id=None,
        version=1,
        status="active",
        actor="officer:ecju",
        occurred_at=NOW,
        licence_id="GB-SIEL-2026-0042",
    )
    log = SmallLog()
    log.grow([licence])
    with pytest.raises(ReceiptError, match="leaf 0 records no declaration"):
        log.receipt(0, 1)

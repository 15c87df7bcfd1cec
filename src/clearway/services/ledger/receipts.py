"""Receipts: what a trader or a partner agency keeps to prove, offline, that the ledger holds an
event about their declaration.

A receipt (format ``clearway-receipt/v1``) is a JSON object::

    {"format": "clearway-receipt/v1",
     "origin": <the log's checkpoint origin>,
     "declaration_id": <the declaration>,
     "claims": {"sequence", "type", "status", "version", "declaration_id"},
     "leaf_index": <the entry's position in the log>,
     "tree_size": <the size of the checkpoint below>,
     "entry": <base64 of the entry bytes, RFC 8785 canonical JSON>,
     "inclusion_proof": [<base64 of each RFC 9162 §2.1.3.1 proof hash>, ...],
     "checkpoint": <the C2SP signed note of the log's checkpoint, with any cosignatures>}

Verifying needs only the receipt and the log's verifier key: the checkpoint's signature
(c2sp.org/signed-note), the inclusion of the entry's leaf hash under the checkpoint's root
(RFC 9162 §2.1.3.2), and that the entry says what the claims say. The claims are a readable
summary; the entry is the evidence, so the two must agree member for member.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clearway.domain.ledger import (
    Checkpoint,
    CheckpointError,
    IndexBeyondSizeError,
    InvalidSignatureError,
    LedgerProofError,
    NoteError,
    NoteVerifier,
    RootMismatchError,
    UnverifiedNoteError,
    VerifierKey,
    leaf_hash,
    open_note,
    verify_inclusion,
)
from clearway.services.ledger.entries import Entry, EntryError, read_entry
from clearway.services.ledger.signing import note_verifier

RECEIPT_FORMAT = "clearway-receipt/v1"
CLAIM_FIELDS = ("sequence", "type", "status", "version", "declaration_id")
RECEIPT_FIELDS = (
    "format",
    "origin",
    "declaration_id",
    "claims",
    "leaf_index",
    "tree_size",
    "entry",
    "inclusion_proof",
    "checkpoint",
)


class ReceiptError(ValueError):
    """A receipt that does not verify; the message says, in one line, what failed."""


@dataclass(frozen=True, slots=True)
class VerifiedReceipt:
    """What a receipt proves once verified: this entry is leaf ``leaf_index`` of the log
    ``origin`` at ``tree_size``, whose root the log signed."""

    origin: str
    declaration_id: str
    leaf_index: int
    tree_size: int
    entry: Entry
    checkpoint: Checkpoint
    cosigners: tuple[str, ...]
    """Key names of the other signature lines (witness cosignatures), not verified here."""


def build_receipt(
    *,
    origin: str,
    entry: bytes,
    leaf_index: int,
    tree_size: int,
    inclusion_proof: Sequence[bytes],
    checkpoint: str,
) -> dict[str, Any]:
    """The receipt for ``entry`` at ``leaf_index`` under the signed ``checkpoint`` note.

    The claims are read from the entry itself, so a receipt always claims what it proves.
    """
    try:
        logged = read_entry(entry)
    except EntryError as error:
        raise ReceiptError(f"leaf {leaf_index}: {error}") from None
    if not isinstance(logged.declaration_id, str):
        raise ReceiptError(f"leaf {leaf_index} records no declaration, so it has no receipt")
    return {
        "format": RECEIPT_FORMAT,
        "origin": origin,
        "declaration_id": logged.declaration_id,
        "claims": {name: getattr(logged, name) for name in CLAIM_FIELDS},
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "entry": base64.b64encode(entry).decode(),
        "inclusion_proof": [base64.b64encode(value).decode() for value in inclusion_proof],
        "checkpoint": checkpoint,
    }


def verify_receipt(
    receipt: Mapping[str, Any], log_key: VerifierKey | str | NoteVerifier
) -> VerifiedReceipt:
    """Check a receipt against the log's verifier key, offline; raise :class:`ReceiptError`.

    In order: the receipt's form; the checkpoint note's signature by the log key
    (c2sp.org/signed-note) and its origin and size against the receipt's; the entry's
    canonical form; the inclusion proof of its leaf hash under the signed root
    (RFC 9162 §2.1.3.2); and every claim against the entry.
    """
    verifier = note_verifier(log_key) if isinstance(log_key, VerifierKey | str) else log_key
    _check_form(receipt)
    origin: str = receipt["origin"]
    leaf_index: int = receipt["leaf_index"]
    tree_size: int = receipt["tree_size"]
    checkpoint, cosigners = _signed_checkpoint(receipt["checkpoint"], verifier)
    if checkpoint.origin != origin:
        raise ReceiptError(
            f"the checkpoint is of the log {checkpoint.origin!r}, the receipt names {origin!r}"
        )
    if checkpoint.size != tree_size:
        raise ReceiptError(
            f"the checkpoint is at tree size {checkpoint.size}, the receipt claims {tree_size}"
        )
    entry_bytes = _base64(receipt["entry"], "the entry")
    proof = [
        _base64(value, f"inclusion proof hash {n}")
        for n, value in enumerate(receipt["inclusion_proof"])
    ]
    try:
        entry = read_entry(entry_bytes)
    except EntryError as error:
        raise ReceiptError(str(error)) from None
    _check_inclusion(entry_bytes, leaf_index, tree_size, proof, checkpoint.root_hash)
    _check_claims(receipt, entry)
    return VerifiedReceipt(
        origin=origin,
        declaration_id=receipt["declaration_id"],
        leaf_index=leaf_index,
        tree_size=tree_size,
        entry=entry,
        checkpoint=checkpoint,
        cosigners=cosigners,
    )


def _check_form(receipt: Mapping[str, Any]) -> None:
    if not isinstance(receipt, Mapping):
        raise ReceiptError("a receipt is a JSON object")
    if receipt.get("format") != RECEIPT_FORMAT:
        raise ReceiptError(
            f"the receipt's format is {receipt.get('format')!r}, not {RECEIPT_FORMAT!r}"
        )
    missing = [name for name in RECEIPT_FIELDS if name not in receipt]
    if missing:
        raise ReceiptError(f"the receipt lacks {', '.join(missing)}")
    unknown = sorted(set(receipt) - set(RECEIPT_FIELDS))
    if unknown:
        raise ReceiptError(
            f"the receipt has members {RECEIPT_FORMAT} does not define: {', '.join(unknown)}"
        )
    for name in ("origin", "declaration_id", "entry", "checkpoint"):
        if not isinstance(receipt[name], str):
            raise ReceiptError(f"the receipt's {name} is not a string")
    for name in ("leaf_index", "tree_size"):
        if not _is_count(receipt[name]):
            raise ReceiptError(f"the receipt's {name} is not a non-negative integer")
    proof = receipt["inclusion_proof"]
    if not isinstance(proof, list) or not all(isinstance(value, str) for value in proof):
        raise ReceiptError("the receipt's inclusion_proof is not a list of base64 strings")
    claims = receipt["claims"]
    if not isinstance(claims, Mapping):
        raise ReceiptError("the receipt's claims are not a JSON object")
    if set(claims) != set(CLAIM_FIELDS):
        raise ReceiptError(f"the receipt's claims must be exactly {', '.join(CLAIM_FIELDS)}")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ReceiptError(f"{what} is not standard base64") from None


def _signed_checkpoint(note: str, verifier: NoteVerifier) -> tuple[Checkpoint, tuple[str, ...]]:
    """The checkpoint the log signed, and the names on the other signature lines."""
    key = f"{verifier.name}+{verifier.key_id:08x}"
    try:
        opened = open_note(note, [verifier])
    except UnverifiedNoteError:
        raise ReceiptError(f"the checkpoint is not signed by the log key {key}") from None
    except InvalidSignatureError:
        raise ReceiptError(
            f"the log's signature on the checkpoint does not verify ({key})"
        ) from None
    except NoteError as error:
        raise ReceiptError(f"the checkpoint is not a signed note: {error}") from None
    try:
        checkpoint = Checkpoint.parse(opened.text)
    except CheckpointError as error:
        raise ReceiptError(f"the signed note is not a checkpoint: {error}") from None
    return checkpoint, tuple(signature.key_name for signature in opened.unverified)


def _check_inclusion(
    entry: bytes, leaf_index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2, each way of failing told apart."""
    try:
        verify_inclusion(leaf_hash(entry), leaf_index, tree_size, proof, root)
    except RootMismatchError:
        raise ReceiptError("the inclusion proof does not lead to the checkpoint's root") from None
    except IndexBeyondSizeError:
        raise ReceiptError(f"leaf {leaf_index} is not in a tree of size {tree_size}") from None
    except LedgerProofError as error:
        raise ReceiptError(str(error)) from None


def _check_claims(receipt: Mapping[str, Any], entry: Entry) -> None:
    claims = receipt["claims"]
    for name in CLAIM_FIELDS:
        said = getattr(entry, name)
        claimed = claims[name]
        # type() too: JSON's 1 and true, or 2 and 2.0, are different claims.
        if said != claimed or type(said) is not type(claimed):
            raise ReceiptError(f"the entry's {name} is {said!r}, the receipt claims {claimed!r}")
    if receipt["declaration_id"] != entry.declaration_id:
        raise ReceiptError(
            f"the entry's declaration_id is {entry.declaration_id!r}, "
            f"the receipt is for {receipt['declaration_id']!r}"
        )

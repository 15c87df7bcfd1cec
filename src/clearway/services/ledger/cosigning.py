"""What the log accepts from its witnesses (c2sp.org/tlog-cosignature): a registered witness key
named as the witness, and cosignatures, each verified, over the very checkpoint body the log
signed. Storage is the caller's; these are the rules."""

from __future__ import annotations

from collections.abc import Mapping

from clearway.domain.errors import BadRequest
from clearway.domain.ledger import (
    Checkpoint,
    CosignatureError,
    LedgerError,
    Note,
    VerifierKey,
    open_note,
    parse_note,
)
from clearway.services.ledger.signing import cosignature_verifier


class CosignatureRejected(BadRequest):
    """A witness key or a cosignature the log does not accept."""


def witness_key(name: str, verifier_key: str) -> VerifierKey:
    """The verifier key a witness registers, which must be named as the witness."""
    try:
        key = VerifierKey.parse(verifier_key)
    except LedgerError as error:
        raise CosignatureRejected(f"not a verifier key: {error}") from None
    if key.name != name:
        raise CosignatureRejected(f"the key is named {key.name!r}, not {name!r}")
    return key


def cosigned_checkpoint(cosigned: str) -> tuple[Note, Checkpoint]:
    """A cosigned note as received, and the checkpoint it carries."""
    try:
        note = parse_note(cosigned)
        return note, Checkpoint.parse(note.text)
    except LedgerError as error:
        raise CosignatureRejected(f"not a cosigned checkpoint: {error}") from None


def accepted_cosignatures(
    note: Note, signed_note: str | None, witnesses: Mapping[str, str]
) -> dict[str, str]:
    """Witness name → signature line of every registered witness's cosignature on ``note``.

    ``signed_note`` is the checkpoint the log signed at the note's size (None: it signed none
    there); the note must carry the very same body. Lines from other keys are ignored; a line
    from a registered witness that does not verify refuses the whole note.
    """
    if signed_note is None or parse_note(signed_note).text != note.text:
        size = Checkpoint.parse(note.text).size
        raise CosignatureRejected(f"the log signed no checkpoint with this body at size {size}")
    accepted = {}
    for name, key in witnesses.items():
        verifier = cosignature_verifier(key)
        mine = [
            signature
            for signature in note.signatures
            if signature.key_name == name and signature.key_id == verifier.key_id
        ]
        if not mine:
            continue
        try:
            open_note(Note(note.text, tuple(mine)).to_text(), [verifier])
        except (LedgerError, CosignatureError) as error:
            raise CosignatureRejected(
                f"the cosignature of {name!r} does not verify: {error}"
            ) from None
        accepted[name] = mine[0].line
    if not accepted:
        raise CosignatureRejected("no cosignature from a registered witness")
    return accepted

"""A witness's step (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature), independent of HTTP.

A witness keeps, per log, the last checkpoint it cosigned: the log's origin and verifier key,
the tree size and root. Shown a newer checkpoint it cosigns only if the log signed it, it is
of the same log, it is not smaller, and the log proves it extends the kept tree (RFC 9162
§2.1.4.2). A log that rewrote its history, so that two parties see different trees, cannot get
a cosignature for both: that is what the cosignature attests.

The state is a small JSON file, replaced atomically so that a crash never leaves a witness
with a half-written (or older) view of the log.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearway.domain.ledger import (
    EMPTY_ROOT,
    Checkpoint,
    CheckpointError,
    InvalidSignatureError,
    LedgerError,
    LedgerProofError,
    Note,
    NoteError,
    NoteSigner,
    UnverifiedNoteError,
    VerifierKey,
    open_note,
    verify_consistency,
)
from clearway.services.ledger.signing import note_verifier

STATE_FORMAT = "clearway-witness-state/v1"


class WitnessRefusal(ValueError):
    """The witness will not cosign this checkpoint; the message says why, in one line."""


class WitnessStateError(ValueError):
    """A state file the witness cannot read."""


@dataclass(frozen=True, slots=True)
class WitnessState:
    """The last checkpoint the witness cosigned for one log (size 0: none yet)."""

    origin: str
    log_key: VerifierKey
    size: int
    root_hash: bytes

    @classmethod
    def first(cls, origin: str, log_key: VerifierKey) -> WitnessState:
        """A witness that has seen nothing of the log yet: the empty tree (RFC 9162 §2.1.1)."""
        return cls(origin, log_key, 0, EMPTY_ROOT)

    def to_document(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "origin": self.origin,
            "log_key": str(self.log_key),
            "size": self.size,
            "root_hash": base64.b64encode(self.root_hash).decode(),
        }

    @classmethod
    def from_document(cls, document: Any) -> WitnessState:
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise WitnessStateError(f"not a {STATE_FORMAT} document")
        try:
            size = document["size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise WitnessStateError(f"size {size!r} is not a tree size")
            return cls(
                origin=str(document["origin"]),
                log_key=VerifierKey.parse(str(document["log_key"])),
                size=size,
                root_hash=base64.b64decode(str(document["root_hash"]), validate=True),
            )
        except KeyError as error:
            raise WitnessStateError(f"the state has no {error.args[0]}") from None
        except (LedgerError, binascii.Error) as error:
            raise WitnessStateError(str(error)) from None


@dataclass(frozen=True, slots=True)
class Cosigned:
    """The outcome of a witness step: the state to keep and the note to send back."""

    state: WitnessState
    checkpoint: Checkpoint
    note: str
    """The checkpoint body, a blank line, and the witness's cosignature line."""


def load_state(path: Path) -> WitnessState | None:
    """The kept state, or ``None`` when the witness has never run (no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise WitnessStateError(f"{path} is not JSON: {error}") from None
    try:
        return WitnessState.from_document(document)
    except WitnessStateError as error:
        raise WitnessStateError(f"{path}: {error}") from None


def save_state(path: Path, state: WitnessState) -> None:
    """Write the state next to ``path`` and rename it over ``path``, so readers see the old
    state or the new one, never a mix."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(state.to_document(), out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_log_key(state: WitnessState, log_key: VerifierKey) -> None:
    """Refuse a log key other than the one the witness has been trusting."""
    if log_key != state.log_key:
        raise WitnessRefusal(
            f"the log key {log_key.name}+{log_key.key_id:08x} is not the key the witness "
            f"holds for {state.origin!r} ({state.log_key.name}+{state.log_key.key_id:08x})"
        )


def signed_checkpoint(state: WitnessState, note: str) -> Checkpoint:
    """The checkpoint in ``note``, once its signature by the kept log key, its origin and its
    size (not below the kept one) hold."""
    return _open_checkpoint(state, note)[0]


def _open_checkpoint(state: WitnessState, note: str) -> tuple[Checkpoint, str]:
    """The checkpoint and the very body text the log signed (cosigned as is, byte for byte)."""
    key = state.log_key
    named = f"{key.name}+{key.key_id:08x}"
    try:
        opened = open_note(note, [note_verifier(key)])
    except UnverifiedNoteError:
        raise WitnessRefusal(f"the checkpoint is not signed by the log key {named}") from None
    except InvalidSignatureError:
        raise WitnessRefusal(f"the log's signature on the checkpoint fails ({named})") from None
    except NoteError as error:
        raise WitnessRefusal(f"the checkpoint is not a signed note: {error}") from None
    try:
        checkpoint = Checkpoint.parse(opened.text)
    except CheckpointError as error:
        raise WitnessRefusal(f"the signed note is not a checkpoint: {error}") from None
    if checkpoint.origin != state.origin:
        raise WitnessRefusal(
            f"the checkpoint is of the log {checkpoint.origin!r}, the witness follows "
            f"{state.origin!r}"
        )
    if checkpoint.size < state.size:
        raise WitnessRefusal(
            f"the log's checkpoint is at size {checkpoint.size} "
            f"(root {_b64(checkpoint.root_hash)}), smaller than size {state.size} "
            f"(root {_b64(state.root_hash)}) the witness cosigned before: the log went back"
        )
    return checkpoint, opened.text


def needs_proof(state: WitnessState, checkpoint: Checkpoint) -> bool:
    """Whether a consistency proof from the kept size is needed (not from 0, nor same size)."""
    return 0 < state.size < checkpoint.size


def cosign(
    state: WitnessState,
    note: str,
    consistency_proof: Sequence[bytes],
    cosigner: NoteSigner,
) -> Cosigned:
    """Verify the log's newest checkpoint against the kept state and cosign it.

    ``cosigner`` makes c2sp.org/tlog-cosignature/v1 lines (``SigningKey.cosigner``).
    ``consistency_proof`` proves the kept size extends to the checkpoint's (RFC 9162 §2.1.4.2);
    it must be empty when the sizes are equal or the witness starts from the empty tree.
    Raises :class:`WitnessRefusal` on anything that does not hold.
    """
    checkpoint, body = _open_checkpoint(state, note)
    if checkpoint.size == state.size:
        if checkpoint.root_hash != state.root_hash:
            raise WitnessRefusal(
                f"the log's checkpoint at size {checkpoint.size} has root "
                f"{_b64(checkpoint.root_hash)}, the witness cosigned root "
                f"{_b64(state.root_hash)} at that size: the log rewrote its history"
            )
        if consistency_proof:
            raise WitnessRefusal("a consistency proof between equal sizes must be empty")
    elif state.size == 0:
        if consistency_proof:
            raise WitnessRefusal("a consistency proof from the empty tree must be empty")
    else:
        try:
            verify_consistency(
                state.size,
                checkpoint.size,
                state.root_hash,
                checkpoint.root_hash,
                consistency_proof,
            )
        except LedgerProofError as error:
            raise WitnessRefusal(
                f"the log's checkpoint at size {checkpoint.size} (root "
                f"{_b64(checkpoint.root_hash)}) does not extend size {state.size} (root "
                f"{_b64(state.root_hash)}) the witness cosigned: the log rewrote its history "
                f"({error})"
            ) from None
    cosigned = Note(body).signed(cosigner)
    kept = WitnessState(state.origin, state.log_key, checkpoint.size, checkpoint.root_hash)
    return Cosigned(kept, checkpoint, cosigned.to_text())


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()

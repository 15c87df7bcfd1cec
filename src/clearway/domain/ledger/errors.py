"""What the ledger core raises: one tree, so a caller can catch as broadly as it needs.

LedgerError (ValueError)
├── LedgerProofError          a Merkle proof or plan that does not hold (RFC 9162 §2.1.3, §2.1.4)
│   ├── IndexBeyondSizeError      leaf index ≥ tree size
│   ├── TreeSizeError             first size > second size, or a proof from the empty tree
│   ├── HashLengthError           a leaf hash or proof hash that is not 32 bytes
│   ├── ProofLengthError          too few or too many hashes for the sizes given
│   └── RootMismatchError         the proof recomputes a different root hash
├── MissingNodeError          a stored node a plan needs was not among the fetched hashes
└── NoteError                 a signed note, key, checkpoint or cosignature that does not hold
    ├── MalformedNoteError        not a C2SP signed note (c2sp.org/signed-note)
    ├── MalformedKeyError         not a verifier or signer key string, or its key ID is wrong
    ├── InvalidSignatureError     a signature by a known key that fails to verify
    ├── UnverifiedNoteError       no signature by a known key (carries the parsed note)
    ├── AmbiguousKeyError         two known verifiers share a key name and key ID
    ├── CheckpointError           a note text that is not a c2sp.org/tlog-checkpoint body
    └── CosignatureError          a malformed c2sp.org/tlog-cosignature/v1 signature
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clearway.domain.ledger.note import Note


class LedgerError(ValueError):
    """Anything the ledger core refuses."""


class LedgerProofError(LedgerError):
    """An inclusion or consistency proof that does not verify, or cannot be planned."""


class IndexBeyondSizeError(LedgerProofError):
    """RFC 9162 §2.1.3.2 step 1: the leaf index is not below the tree size."""


class TreeSizeError(LedgerProofError):
    """The two tree sizes of a consistency proof are out of order, or the first is 0."""


class HashLengthError(LedgerProofError):
    """A hash that should be a SHA-256 digest (32 bytes) is not."""


class ProofLengthError(LedgerProofError):
    """The proof has a different number of hashes than the tree sizes call for."""


class RootMismatchError(LedgerProofError):
    """The root recomputed from the proof differs from the root given."""


class MissingNodeError(LedgerError):
    """A plan names a stored node whose hash was not fetched."""


class NoteError(LedgerError):
    """A signed note, key string, checkpoint or cosignature that cannot be accepted."""


class MalformedNoteError(NoteError):
    """The message breaks the c2sp.org/signed-note format."""


class MalformedKeyError(NoteError):
    """A verifier or signer key string that cannot be parsed or whose key ID is wrong."""


class InvalidSignatureError(NoteError):
    """c2sp.org/signed-note: a signature from a known key failed, so the note is rejected."""


class UnverifiedNoteError(NoteError):
    """c2sp.org/signed-note: no signature from a known key; ``note`` holds what was parsed."""

    def __init__(self, message: str, note: Note) -> None:
        super().__init__(message)
        self.note = note


class AmbiguousKeyError(NoteError):
    """Two known verifiers answer to the same key name and key ID."""


class CheckpointError(NoteError):
    """The note text is not a c2sp.org/tlog-checkpoint body."""


class CosignatureError(NoteError):
    """The signature bytes are not a c2sp.org/tlog-cosignature timestamped_signature."""

"""The verifiable ledger's pure core: an RFC 9162 (Certificate Transparency v2) Merkle log of
clearance events, its proofs, and the C2SP signed notes, checkpoints and cosignatures that
commit to it. Standard library only; the Ed25519 signing adapters live in
``clearway.services.ledger.signing``.

- ``hashing``: leaf and node hashes, the empty root, the reference root of a leaf list.
- ``compact``: stored node ids ``(level, index)``, the right border and the appender.
- ``plans``: which stored nodes make up an inclusion proof, a consistency proof or a root.
- ``verify``: RFC 9162 §2.1.3.2 and §2.1.4.2 proof verification.
- ``keys``, ``note``, ``checkpoint``, ``cosignature``: c2sp.org signed-note, tlog-checkpoint
  and tlog-cosignature.
- ``errors``: the exception tree.
"""

from clearway.domain.ledger.checkpoint import Checkpoint
from clearway.domain.ledger.compact import (
    Appended,
    NodeId,
    RightBorder,
    append_leaves,
    border_node_ids,
    covering_node_ids,
    node_leaves,
)
from clearway.domain.ledger.cosignature import (
    Cosignature,
    CosignatureVerifier,
    Cosigner,
    cosigned_message,
)
from clearway.domain.ledger.errors import (
    AmbiguousKeyError,
    CheckpointError,
    CosignatureError,
    HashLengthError,
    IndexBeyondSizeError,
    InvalidSignatureError,
    LedgerError,
    LedgerProofError,
    MalformedKeyError,
    MalformedNoteError,
    MissingNodeError,
    NoteError,
    ProofLengthError,
    RootMismatchError,
    TreeSizeError,
    UnverifiedNoteError,
)
from clearway.domain.ledger.hashing import (
    EMPTY_ROOT,
    HASH_SIZE,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
)
from clearway.domain.ledger.keys import COSIGNATURE_V1, ED25519, SignerKey, VerifierKey, key_id
from clearway.domain.ledger.note import (
    Note,
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    OpenedNote,
    open_note,
    parse_note,
)
from clearway.domain.ledger.plans import (
    ProofPlan,
    assemble_proof,
    assemble_root,
    consistency_plan,
    inclusion_plan,
    root_plan,
)
from clearway.domain.ledger.verify import (
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "COSIGNATURE_V1",
    "ED25519",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "AmbiguousKeyError",
    "Appended",
    "Checkpoint",
    "CheckpointError",
    "Cosignature",
    "CosignatureError",
    "CosignatureVerifier",
    "Cosigner",
    "HashLengthError",
    "IndexBeyondSizeError",
    "InvalidSignatureError",
    "LedgerError",
    "LedgerProofError",
    "MalformedKeyError",
    "MalformedNoteError",
    "MissingNodeError",
    "NodeId",
    "Note",
    "NoteError",
    "NoteSignature",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "ProofLengthError",
    "ProofPlan",
    "RightBorder",
    "RootMismatchError",
    "SignerKey",
    "TreeSizeError",
    "UnverifiedNoteError",
    "VerifierKey",
    "append_leaves",
    "assemble_proof",
    "assemble_root",
    "border_node_ids",
    "consistency_plan",
    "cosigned_message",
    "covering_node_ids",
    "inclusion_plan",
    "key_id",
    "leaf_hash",
    "node_hash",
    "node_leaves",
    "open_note",
    "parse_note",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "root_plan",
    "verify_consistency",
    "verify_inclusion",
]

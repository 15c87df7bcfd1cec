"""Checkpoints (c2sp.org/tlog-checkpoint): the note text a log signs to commit to a tree head.

The body is at least three non-empty lines, each ending in a newline::

    <origin>                  the log's identity, e.g. clearway.example/ledger
    <tree size>               ASCII decimal, no leading zeroes ("0" for the empty tree)
    <root hash>               base64 of the RFC 9162 §2.1.1 root hash at that size
    [<extension line> ...]    optional, opaque, non-empty
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from clearway.domain.ledger.errors import CheckpointError
from clearway.domain.ledger.hashing import HASH_SIZE

MAX_TREE_SIZE = (1 << 64) - 1
"""Tree sizes are unsigned 64-bit integers in every tlog implementation Clearway talks to."""

_TREE_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's tree head: who it is, how many leaves, the root hash, any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin:
            raise CheckpointError("checkpoint origin is empty")
        for line in (self.origin, *self.extensions):
            if "\n" in line:
                raise CheckpointError(f"checkpoint line {line!r} contains a newline")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size} is not an unsigned 64-bit integer")
        if len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"root hash is {len(self.root_hash)} bytes, not {HASH_SIZE}")
        if any(not line for line in self.extensions):
            raise CheckpointError("checkpoint extension lines must be non-empty")

    def to_body(self) -> str:
        """The note text to sign: origin, size, root hash and extension lines, each with ``\\n``."""
        root = base64.b64encode(self.root_hash).decode()
        return "".join(
            f"{line}\n" for line in (self.origin, str(self.size), root, *self.extensions)
        )

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint body (a note's text, after its signatures have been verified)."""
        if not body.endswith("\n"):
            raise CheckpointError("checkpoint body does not end with a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(f"checkpoint has {len(lines)} lines, needs origin, size, root")
        origin, size, root, *extensions = lines
        if not _TREE_SIZE.fullmatch(size):
            raise CheckpointError(f"tree size {size!r} is not a decimal without leading zeroes")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise CheckpointError(f"root hash {root!r} is not standard base64") from None
        return cls(origin, int(size), root_hash, tuple(extensions))

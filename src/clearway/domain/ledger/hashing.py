"""The RFC 9162 §2.1.1 Merkle Tree Hash: leaf and interior hashing with SHA-256 and domain
separation, and a reference computation of a whole tree's root.

The tree over ``n`` leaves splits at ``k``, the largest power of two smaller than ``n``::

    MTH({})      = SHA-256()
    MTH({d(0)})  = SHA-256(0x00 || d(0))
    MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from clearway.domain.ledger.errors import HashLengthError

HASH_SIZE = 32
"""Bytes in a SHA-256 digest, the only hash RFC 9162 logs in Clearway use."""

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root hash of the tree with no leaves (RFC 9162 §2.1.1)."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry): the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def check_hash(value: bytes, what: str) -> None:
    """Refuse anything that is not a 32-byte SHA-256 digest, naming what it was meant to be."""
    if len(value) != HASH_SIZE:
        raise HashLengthError(f"{what} is {len(value)} bytes, a SHA-256 hash is {HASH_SIZE}")


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes, computed in linear time without recursion.

    The reference the audit and the tests hold the incremental log to. Splitting at the largest
    power of two smaller than ``n`` is the same as pairing each level left to right and
    carrying a lone last node up unchanged, which is what this does level by level.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]

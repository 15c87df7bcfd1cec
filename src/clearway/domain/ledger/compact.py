"""Stored node addresses and the compact-range appender that grows the log.

The log stores the hash of every *perfect* subtree and nothing else. A node id ``(level,
index)`` names the subtree over leaves ``[index·2^level, (index+1)·2^level)``; level 0 holds the
leaf hashes. Any other node of an RFC 9162 §2.1.1 tree is *ephemeral*: it sits on the right edge
of a tree whose size is not a power of two and is recomputed from stored nodes when needed.

The *right border* of a tree of size ``n`` is the list of perfect subtrees that tile
``[0, n)``, one per set bit of ``n``, largest first (a compact range in the sense of
transparency-dev/merkle's ``compact`` package). It is all an appender needs to know: appending
``k`` leaves costs O(k + log n) hashes whatever the size of the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from clearway.domain.ledger.errors import LedgerError, MissingNodeError
from clearway.domain.ledger.hashing import (
    EMPTY_ROOT,
    HASH_SIZE,
    NODE_PREFIX,
    check_hash,
    node_hash,
)

NodeId = tuple[int, int]
"""``(level, index)``: the perfect subtree over leaves ``[index·2^level, (index+1)·2^level)``."""


def node_leaves(node: NodeId) -> range:
    """The leaf indices a stored node covers."""
    level, index = node
    return range(index << level, (index + 1) << level)


def covering_node_ids(begin: int, end: int) -> list[NodeId]:
    """The perfect subtrees that tile ``[begin, end)``, largest (leftmost) first.

    ``begin`` must be a multiple of the largest power of two not above ``end - begin``, as it
    is for the whole tree (``begin == 0``) and for the ragged right edge of a tree.
    """
    width = end - begin
    if begin < 0 or width < 0 or (width and begin % (1 << (width.bit_length() - 1))):
        raise LedgerError(f"[{begin}, {end}) is not tiled by perfect subtrees left to right")
    ids: list[NodeId] = []
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            ids.append((level, begin >> level))
            begin += 1 << level
    return ids


def border_node_ids(size: int) -> list[NodeId]:
    """The right border of a tree of ``size`` leaves: the stored nodes tiling ``[0, size)``."""
    return covering_node_ids(0, size)


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Hash adjacent subtrees into one, the rightmost first: ``h0`` then ``H(h1, h0)`` …

    ``hashes`` run from the rightmost (smallest) subtree leftwards, which is how an ephemeral
    node is rebuilt from the perfect subtrees under it (RFC 9162 §2.1.1, right edge).
    """
    folded = hashes[0]
    for left in hashes[1:]:
        folded = node_hash(left, folded)
    return folded


def fetch(fetched: Mapping[NodeId, bytes], node: NodeId) -> bytes:
    """The stored hash of ``node`` from what the caller fetched, or a clear error."""
    try:
        return fetched[node]
    except KeyError:
        raise MissingNodeError(
            f"stored node (level {node[0]}, index {node[1]}) not fetched"
        ) from None


@dataclass(frozen=True, slots=True)
class RightBorder:
    """A tree's size and the hashes of its right border, largest subtree first."""

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if self.size < 0:
            raise LedgerError(f"tree size {self.size} is negative")
        if len(self.hashes) != self.size.bit_count():
            raise LedgerError(
                f"a tree of size {self.size} has {self.size.bit_count()} border hashes, "
                f"not {len(self.hashes)}"
            )
        for node, value in zip(self.node_ids, self.hashes, strict=True):
            check_hash(value, f"border node {node}")

    @classmethod
    def empty(cls) -> RightBorder:
        """The border of the empty tree."""
        return cls(0, ())

    @classmethod
    def from_nodes(cls, size: int, fetched: Mapping[NodeId, bytes]) -> RightBorder:
        """The border of a stored tree, from its nodes fetched by ``border_node_ids(size)``."""
        return cls(size, tuple(fetch(fetched, node) for node in border_node_ids(size)))

    @property
    def node_ids(self) -> list[NodeId]:
        """Where each border hash is stored."""
        return border_node_ids(self.size)

    def root(self) -> bytes:
        """MTH of the whole tree (RFC 9162 §2.1.1): the border folded from the right."""
        if not self.hashes:
            return EMPTY_ROOT
        return fold_right(self.hashes[::-1])


@dataclass(frozen=True, slots=True)
class Appended:
    """What appending a batch produced: nodes to store, and the grown tree's border and root."""

    nodes: tuple[tuple[NodeId, bytes], ...]
    border: RightBorder
    root: bytes


def append_leaves(border: RightBorder, leaf_hashes: Iterable[bytes]) -> Appended:
    """Append leaf hashes to the tree whose right border is given.

    Returns every perfect subtree the batch completes, leaf hashes included (level 0), in the
    order they were completed, so storing them keeps the invariant that every perfect subtree
    of the log is stored. Each leaf costs one hash per subtree it completes (amortised one);
    the new root costs one hash per set bit of the new size.
    """
    stack = list(border.hashes)
    size = border.size
    nodes: list[tuple[NodeId, bytes]] = []
    # A batch is a thousand leaves or more: node_hash written out, its names looked up once.
    keep, pop, sha256 = nodes.append, stack.pop, hashlib.sha256
    for value in leaf_hashes:
        if len(value) != HASH_SIZE:
            check_hash(value, f"leaf hash {size}")
        keep(((0, size), value))
        level, index = 0, size
        # A right child completes its parent: merge with the left sibling on the stack.
        while index & 1:
            value = sha256(NODE_PREFIX + pop() + value).digest()
            level, index = level + 1, index >> 1
            keep(((level, index), value))
        stack.append(value)
        size += 1
    grown = RightBorder(size, tuple(stack))
    return Appended(nodes=tuple(nodes), border=grown, root=grown.root())

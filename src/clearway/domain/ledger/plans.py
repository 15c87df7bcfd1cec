"""Which stored nodes make up a proof or a root, and how to fold them into one.

A plan is computed from the tree sizes alone, so a store can fetch all the node hashes it names
in one round trip and hand them to :func:`assemble_proof` or :func:`assemble_root`. Each *part*
of a plan becomes one hash of the RFC 9162 proof: usually a single stored node; at most once per
proof, several stored nodes tiling an *ephemeral* node on the right edge of the tree, listed
rightmost (smallest) first and folded with :func:`~clearway.domain.ledger.compact.fold_right`
(the approach of transparency-dev/merkle's ``proof.Nodes`` and its ``Rehash``). A plan names
O(log n) nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from clearway.domain.ledger.compact import (
    NodeId,
    border_node_ids,
    covering_node_ids,
    fetch,
    fold_right,
)
from clearway.domain.ledger.errors import IndexBeyondSizeError, LedgerError, TreeSizeError
from clearway.domain.ledger.hashing import EMPTY_ROOT


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """The stored nodes behind each hash of a proof (or of a root), in proof order."""

    parts: tuple[tuple[NodeId, ...], ...]

    @property
    def node_ids(self) -> tuple[NodeId, ...]:
        """Every stored node to fetch, each once."""
        return tuple(node for part in self.parts for node in part)


def _path(level: int, index: int, size: int) -> list[tuple[NodeId, ...]]:
    """The inclusion path of stored node ``(level, index)`` in a tree of ``size`` leaves.

    Walks up from the node; at each level the sibling is stored if it lies left, ephemeral if it
    lies right and is cut by the tree's edge, and absent if it lies wholly beyond the edge (the
    node is then carried up unchanged). RFC 9162 §2.1.3.1 PATH, bottom to top.
    """
    parts: list[tuple[NodeId, ...]] = []
    top = (size - 1).bit_length()
    while level < top:
        sibling = index ^ 1
        begin = sibling << level
        if sibling < index:
            parts.append(((level, sibling),))
        elif begin < size:
            end = min(begin + (1 << level), size)
            parts.append(tuple(reversed(covering_node_ids(begin, end))))
        level, index = level + 1, index >> 1
    return parts


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """The stored nodes for the inclusion proof of leaf ``index`` in a tree of ``size``.

    RFC 9162 §2.1.3.1: the proof lists, from the leaf up, the root hash of each sibling subtree
    on the leaf's path to the root.
    """
    if not 0 <= index < size:
        raise IndexBeyondSizeError(f"leaf index {index} is not in a tree of size {size}")
    return ProofPlan(tuple(_path(0, index, size)))


def consistency_plan(first: int, second: int) -> ProofPlan:
    """The stored nodes for the consistency proof from tree size ``first`` to ``second``.

    RFC 9162 §2.1.4.1 SUBPROOF: the largest perfect subtree ending at ``first`` (left out when
    ``first`` is a power of two: the verifier already holds it as the first root), then that
    subtree's inclusion path in the tree of size ``second``. Equal sizes need no hashes.
    """
    if not 0 <= first <= second:
        raise TreeSizeError(f"no consistency proof from size {first} to size {second}")
    if first == second:
        return ProofPlan(())
    if first == 0:
        raise TreeSizeError("a consistency proof from the empty tree is meaningless")
    level = (first & -first).bit_length() - 1
    index = (first - 1) >> level
    head: list[tuple[NodeId, ...]] = [] if index == 0 else [((level, index),)]
    return ProofPlan(tuple(head + _path(level, index, second)))


def root_plan(size: int) -> ProofPlan:
    """The stored nodes for the root hash of a tree of ``size``: its right border, one part."""
    if size < 0:
        raise TreeSizeError(f"tree size {size} is negative")
    border = border_node_ids(size)
    return ProofPlan((tuple(reversed(border)),) if border else ())


def assemble_proof(plan: ProofPlan, fetched: Mapping[NodeId, bytes]) -> list[bytes]:
    """The RFC 9162 proof hashes the plan describes, from the fetched stored hashes."""
    return [fold_right([fetch(fetched, node) for node in part]) for part in plan.parts]


def assemble_root(plan: ProofPlan, fetched: Mapping[NodeId, bytes]) -> bytes:
    """The root hash a :func:`root_plan` describes; ``EMPTY_ROOT`` for the empty tree."""
    hashes = assemble_proof(plan, fetched)
    if len(hashes) > 1:
        raise LedgerError(f"a root plan has one part, this one has {len(hashes)}")
    return hashes[0] if hashes else EMPTY_ROOT

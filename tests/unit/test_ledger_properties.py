"""Properties of the Merkle log under random growth (hypothesis): logs of up to a few hundred
leaves appended in random batches through the compact appender, proofs built from the stored
nodes through the plans, checked against RFC 9162's recursive definitions written out here.

What a proof cannot protect: the tree size. A proof checked against a size one off can still
verify when the leaf's path has exactly the same shape in both trees (leaf 0 of 3 and of 4:
both paths are "sibling right, sibling right"); RFC 9162 authenticates the size through the
signed tree head, not the proof. The tamper tests therefore assert that an off-by-one index or
size verifies exactly when the RFC path shapes coincide, and never otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.domain.ledger import (
    EMPTY_ROOT,
    LedgerProofError,
    NodeId,
    RightBorder,
    append_leaves,
    assemble_proof,
    assemble_root,
    consistency_plan,
    inclusion_plan,
    leaf_hash,
    node_hash,
    node_leaves,
    root_from_leaf_hashes,
    root_plan,
    verify_consistency,
    verify_inclusion,
)

# No deadline: these are correctness properties, never timing ones; no example database in
# the shared working tree.
PROPERTIES = settings(max_examples=40, deadline=None, database=None)


def _split(n: int) -> int:
    """RFC 9162 §2.1.1: the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_mth(hashes: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 §2.1.1 writes it, recursion and all."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(rfc_mth(hashes[:k]), rfc_mth(hashes[k:]))


def _path(m: int, n: int) -> tuple[str, ...]:
    if n == 1:
        return ()
    k = _split(n)
    return (*_path(m, k), "right") if m < k else (*_path(m - k, n - k), "left")


def path_shape(m: int, n: int) -> tuple[str, ...] | None:
    """Which side each hash of PATH(m, D[n]) sits on, leaf first (RFC 9162 §2.1.3.1)."""
    return _path(m, n) if 0 <= m < n else None


def _subproof(m: int, n: int, whole: bool) -> tuple[str, ...]:
    if m == n:
        return () if whole else ("seed",)
    k = _split(n)
    if m <= k:
        return (*_subproof(m, k, whole), "right")
    return (*_subproof(m - k, n - k, False), "left")


def subproof_shape(m: int, n: int) -> tuple[str, ...] | None:
    """The same for PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1); "seed"
    stands for MTH(D[0:m]) when the proof has to carry it."""
    return _subproof(m, n, True) if 0 < m <= n else None


@dataclass
class GrownLog:
    leaves: list[bytes]
    nodes: dict[NodeId, bytes]  # every node the appender returned, keyed by id
    stored: int  # how many (node id, hash) pairs the appender returned in all
    published: list[int]  # the sizes after each batch: the tree heads a log would sign
    appended_roots: list[bytes]  # the root the appender returned after each batch

    @property
    def size(self) -> int:
        return len(self.leaves)

    def root(self, size: int) -> bytes:
        return assemble_root(root_plan(size), self.nodes)


@st.composite
def grown_logs(draw: st.DrawFn, nonempty: bool = False) -> GrownLog:
    first_batch = draw(st.integers(1 if nonempty else 0, 40))
    batches = [first_batch, *draw(st.lists(st.integers(0, 40), max_size=7))]
    salt = draw(st.binary(max_size=8))
    leaves = [leaf_hash(salt + index.to_bytes(4, "big")) for index in range(sum(batches))]
    log = GrownLog(leaves, {}, 0, [], [])
    border = RightBorder.empty()
    for batch in batches:
        appended = append_leaves(border, leaves[border.size : border.size + batch])
        log.nodes.update(appended.nodes)
        log.stored += len(appended.nodes)
        border = appended.border
        log.published.append(border.size)
        log.appended_roots.append(appended.root)
    return log


def _flips(value: bytes) -> list[bytes]:
    """``value`` with each one of its bits flipped in turn."""
    flipped = []
    for bit in range(len(value) * 8):
        changed = bytearray(value)
        changed[bit // 8] ^= 1 << (bit % 8)
        flipped.append(bytes(changed))
    return flipped


@PROPERTIES
@given(grown_logs())
def test_appending_in_batches_stores_every_perfect_subtree_and_the_reference_root(
    log: GrownLog,
) -> None:
    perfect_subtrees = sum(log.size >> level for level in range(log.size.bit_length()))
    assert log.stored == len(log.nodes) == perfect_subtrees  # each stored once, none missing
    for node, value in log.nodes.items():
        covered = node_leaves(node)
        assert value == rfc_mth(log.leaves[covered.start : covered.stop])
    for size, appended_root in zip(log.published, log.appended_roots, strict=True):
        reference = rfc_mth(log.leaves[:size])
        assert appended_root == reference == root_from_leaf_hashes(log.leaves[:size])
        assert log.root(size) == RightBorder.from_nodes(size, log.nodes).root() == reference


@PROPERTIES
@given(grown_logs())
def test_every_inclusion_proof_verifies(log: GrownLog) -> None:
    for size in log.published:
        root = log.root(size)
        for index in range(size):
            plan = inclusion_plan(index, size)
            assert len(plan.node_ids) <= 2 * size.bit_length()
            proof = assemble_proof(plan, log.nodes)
            verify_inclusion(log.leaves[index], index, size, proof, root)


@PROPERTIES
@given(grown_logs())
def test_every_consistency_proof_verifies(log: GrownLog) -> None:
    checked = {(first, log.size) for first in range(1, log.size + 1)}
    checked |= {(a, b) for a in log.published for b in log.published if 0 < a <= b}
    for first, second in sorted(checked):
        plan = consistency_plan(first, second)
        assert len(plan.node_ids) <= 2 * second.bit_length() + 1
        proof = assemble_proof(plan, log.nodes)
        verify_consistency(first, second, log.root(first), log.root(second), proof)


@PROPERTIES
@given(grown_logs(nonempty=True), st.data())
def test_any_flipped_bit_or_off_by_one_fails_inclusion(log: GrownLog, data: st.DataObject) -> None:
    size = data.draw(st.sampled_from(log.published))
    index = data.draw(st.integers(0, size - 1))
    leaf, root = log.leaves[index], log.root(size)
    proof = assemble_proof(inclusion_plan(index, size), log.nodes)
    for position, value in enumerate(proof):
        for flipped in _flips(value):
            tampered = [*proof[:position], flipped, *proof[position + 1 :]]
            with pytest.raises(LedgerProofError):
                verify_inclusion(leaf, index, size, tampered, root)
    for flipped in _flips(leaf):
        with pytest.raises(LedgerProofError):
            verify_inclusion(flipped, index, size, proof, root)
    for flipped in _flips(root):
        with pytest.raises(LedgerProofError):
            verify_inclusion(leaf, index, size, proof, flipped)
    for other_index, other_size in [
        (index - 1, size),
        (index + 1, size),
        (index, size - 1),
        (index, size + 1),
    ]:
        same_shape = path_shape(other_index, other_size) == path_shape(index, size)
        try:
            verify_inclusion(leaf, other_index, other_size, proof, root)
        except LedgerProofError:
            assert not same_shape
        else:
            assert same_shape


@PROPERTIES
@given(grown_logs(nonempty=True), st.data())
def test_any_flipped_bit_or_off_by_one_fails_consistency(
    log: GrownLog, data: st.DataObject
) -> None:
    second = data.draw(st.sampled_from(log.published))
    first = data.draw(st.integers(1, second))
    first_root, second_root = log.root(first), log.root(second)
    proof = assemble_proof(consistency_plan(first, second), log.nodes)
    for position, value in enumerate(proof):
        for flipped in _flips(value):
            tampered = [*proof[:position], flipped, *proof[position + 1 :]]
            with pytest.raises(LedgerProofError):
                verify_consistency(first, second, first_root, second_root, tampered)
    for flipped in _flips(first_root):
        with pytest.raises(LedgerProofError):
            verify_consistency(first, second, flipped, second_root, proof)
    for flipped in _flips(second_root):
        with pytest.raises(LedgerProofError):
            verify_consistency(first, second, first_root, flipped, proof)
    for other_first, other_second in [
        (first - 1, second),
        (first + 1, second),
        (first, second - 1),
        (first, second + 1),
    ]:
        same_shape = subproof_shape(other_first, other_second) == subproof_shape(first, second)
        try:
            verify_consistency(other_first, other_second, first_root, second_root, proof)
        except LedgerProofError:
            assert not same_shape
        else:
            assert same_shape


def test_a_size_one_off_can_share_a_path_shape() -> None:
    """Leaf 0's proof in a tree of 4 also verifies as a tree of 3: the size is the STH's job."""
    leaves = [leaf_hash(bytes([entry])) for entry in range(4)]
    nodes = dict(append_leaves(RightBorder.empty(), leaves).nodes)
    proof = assemble_proof(inclusion_plan(0, 4), nodes)
    verify_inclusion(leaves[0], 0, 3, proof, rfc_mth(leaves))
    assert path_shape(0, 3) == path_shape(0, 4) == ("right", "right")


def test_plans_for_a_log_of_a_billion_billion_leaves_stay_logarithmic() -> None:
    size = 10**18 + 12345  # 60 bits
    assert len(inclusion_plan(size - 2, size).node_ids) <= 120
    assert len(consistency_plan(10**17 + 3, size).node_ids) <= 121
    assert len(root_plan(size).node_ids) == size.bit_count()

"""Verifying RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs.

The chaining loops follow the RFC's numbered steps. Before them, the proof's length is checked
against the length the tree sizes call for (the same plan a log uses to build the proof), so a
truncated or padded proof is refused with a message that says so rather than as a mismatch.
Every failure raises a :class:`~clearway.domain.ledger.errors.LedgerProofError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearway.domain.ledger.errors import ProofLengthError, RootMismatchError
from clearway.domain.ledger.hashing import EMPTY_ROOT, check_hash, node_hash
from clearway.domain.ledger.plans import consistency_plan, inclusion_plan


def _check_proof(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise ProofLengthError(
            f"{what} has {len(proof)} hashes, the tree sizes call for {expected}"
        )
    for position, value in enumerate(proof):
        check_hash(value, f"{what} hash {position}")


def _check_match(calculated: bytes, expected: bytes, what: str) -> None:
    if calculated != expected:
        raise RootMismatchError(
            f"{what}: the proof gives {calculated.hex()}, expected {expected.hex() or '(empty)'}"
        )


def _shift_while_even(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift both until LSB(fn) is set or fn is 0 (RFC 9162 §2.1.3.2 step 4, §2.1.4.2)."""
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root hash that ``proof`` implies for leaf ``index`` of a tree of ``size``.

    RFC 9162 §2.1.3.2 steps 1 to 4; the caller compares the result with a trusted root (step 5),
    as :func:`verify_inclusion` does.
    """
    expected = len(inclusion_plan(index, size).parts)  # step 1: index < size, or this raises
    check_hash(leaf_hash, "leaf hash")
    _check_proof(proof, expected, "inclusion proof")
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofLengthError("inclusion proof runs past the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_while_even(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofLengthError("inclusion proof stops short of the root")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf ``index`` with ``leaf_hash`` is in the tree of ``size`` with ``root``.

    RFC 9162 §2.1.3.2. Returns nothing; raises a ``LedgerProofError`` subclass on failure.
    """
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    _check_match(calculated, root, f"inclusion of leaf {index} in tree of size {size}")


def root_from_consistency_proof(
    first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> bytes:
    """The second root hash that ``proof`` implies, having checked it against ``first_root``.

    RFC 9162 §2.1.4.2 steps 1 to 7, except the comparison of the second root, which the caller
    makes (as :func:`verify_consistency` does). Equal sizes need an empty proof and give back
    ``first_root``; the empty tree's root is ``EMPTY_ROOT`` (§2.1.1). A proof from the empty
    tree to a larger one proves nothing and is refused.
    """
    expected = len(consistency_plan(first, second).parts)
    _check_proof(proof, expected, "consistency proof")
    if first == second:
        if first == 0:
            _check_match(first_root, EMPTY_ROOT, "root of the empty tree")
        return first_root
    # Step 1 cannot trigger here: first < second always calls for at least one hash.
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of 2
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofLengthError("consistency proof runs past the second root")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_while_even(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # step 7
        raise ProofLengthError("consistency proof stops short of the second root")
    _check_match(fr, first_root, f"root of the tree of size {first}")
    return sr


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``second`` with ``second_root`` extends the one of ``first``.

    RFC 9162 §2.1.4.2. Returns nothing; raises a ``LedgerProofError`` subclass on failure.
    """
    calculated = root_from_consistency_proof(first, second, first_root, proof)
    _check_match(calculated, second_root, f"root of the tree of size {second}")

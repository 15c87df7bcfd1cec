"""RFC 9162 proof verification against the 196 golden cases of transparency-dev/merkle.

Source: transparency-dev/merkle @ 417fb0c, ``testdata/`` (Apache-2.0, licence alongside the
copy in ``../shared/data/rfc9162-vectors``). Inclusion cases give ``leafIdx``, ``treeSize``,
``leafHash``, ``proof`` and ``root``; consistency cases ``size1``, ``size2``, ``root1``, ``root2``
and ``proof``; byte fields are standard base64 and ``proof`` may be ``null``. Every case with
``wantErr`` must raise a ``LedgerProofError``; every other case must verify. The happy paths
also come from the RFC 6962 reference tree of eight leaves, so the log's own proofs (built from
stored nodes through the plans) must equal them hash for hash.

Upstream has flipped one case between versions: ``sizes-are-equal-zero-and-proof-is-empty``
(two size-0 trees whose equal roots are not SHA-256 of nothing) wants an error in this copy and
none in later ones. Clearway holds the empty tree's root to ``EMPTY_ROOT`` (RFC 9162 §2.1.1),
which agrees with this copy.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from clearway.domain.ledger import (
    LedgerProofError,
    RightBorder,
    append_leaves,
    assemble_proof,
    consistency_plan,
    inclusion_plan,
    leaf_hash,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tests.conftest import ROOT

VECTORS = ROOT.parent / "shared" / "data" / "rfc9162-vectors"
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))

# The leaves of the RFC 6962 reference tree the happy paths were computed from.
REFERENCE_LEAVES = [
    bytes.fromhex(entry)
    for entry in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def _case_id(path: Path) -> str:
    return path.relative_to(VECTORS).with_suffix("").as_posix()


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def _bytes(field: str) -> bytes:
    return base64.b64decode(field, validate=True)


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_bytes(value) for value in case["proof"] or []]


@pytest.fixture(scope="module")
def reference_nodes() -> dict[tuple[int, int], bytes]:
    """Every stored node of the eight-leaf reference tree, as the log would store them."""
    appended = append_leaves(RightBorder.empty(), [leaf_hash(e) for e in REFERENCE_LEAVES])
    return dict(appended.nodes)


def test_all_196_cases_are_read() -> None:
    assert (len(INCLUSION), len(CONSISTENCY)) == (98, 98)
    wanted_errors = sum(_load(path)["wantErr"] for path in INCLUSION + CONSISTENCY)
    assert wanted_errors == 196 - 12


@pytest.mark.parametrize("path", INCLUSION, ids=_case_id)
def test_inclusion_case(path: Path) -> None:
    case = _load(path)
    leaf, root = _bytes(case["leafHash"]), _bytes(case["root"])
    arguments = (leaf, case["leafIdx"], case["treeSize"], _proof(case))
    if case["wantErr"]:
        with pytest.raises(LedgerProofError):
            verify_inclusion(*arguments, root)
    else:
        verify_inclusion(*arguments, root)
        assert root_from_inclusion_proof(*arguments) == root


@pytest.mark.parametrize("path", CONSISTENCY, ids=_case_id)
def test_consistency_case(path: Path) -> None:
    case = _load(path)
    sizes = (case["size1"], case["size2"])
    roots = (_bytes(case["root1"]), _bytes(case["root2"]))
    if case["wantErr"]:
        with pytest.raises(LedgerProofError):
            verify_consistency(*sizes, *roots, _proof(case))
    else:
        verify_consistency(*sizes, *roots, _proof(case))
        assert root_from_consistency_proof(*sizes, roots[0], _proof(case)) == roots[1]


@pytest.mark.parametrize(
    "path",
    [path for path in INCLUSION if path.name == "happy-path.json"],
    ids=_case_id,
)
def test_the_log_builds_the_published_inclusion_proof(
    path: Path, reference_nodes: dict[tuple[int, int], bytes]
) -> None:
    case = _load(path)
    index, size = case["leafIdx"], case["treeSize"]
    assert leaf_hash(REFERENCE_LEAVES[index]) == _bytes(case["leafHash"])
    assert assemble_proof(inclusion_plan(index, size), reference_nodes) == _proof(case)


@pytest.mark.parametrize(
    "path",
    [path for path in CONSISTENCY if path.name == "happy-path.json"],
    ids=_case_id,
)
def test_the_log_builds_the_published_consistency_proof(
    path: Path, reference_nodes: dict[tuple[int, int], bytes]
) -> None:
    case = _load(path)
    plan = consistency_plan(case["size1"], case["size2"])
    assert assemble_proof(plan, reference_nodes) == _proof(case)

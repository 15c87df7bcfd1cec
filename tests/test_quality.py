"""The package type-checks under mypy --strict and is ruff clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def test_ruff_clean() -> None:
    done = subprocess.run(
        [BIN / "ruff", "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_mypy_strict() -> None:
    # Its incremental cache beside the suite's other caches, outside the checkout: a fresh
    # clone checks against what an earlier run on this machine worked out (mypy re-checks
    # every module whose source, or whose imports' interfaces, changed since).
    cache = Path("/tmp") / f"clearway-tests-mypy-{os.getuid()}"
    done = subprocess.run(
        [BIN / "mypy", "--cache-dir", str(cache)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout

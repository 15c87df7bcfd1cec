"""Reference data files shipped with the package (see ``data/PROVENANCE.md``)."""

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

"""The built screening index kept on disk, so that a command or worker starting on lists an
earlier process indexed reads the index instead of building it again (a second or less
against several seconds for the OFAC, BIS and UN lists).

A file is named by what it was built from: the lists' SHA-256s and the source of the code
that builds and reads the index, so that neither a new list nor a new release ever reads an
index it did not build. The files are pickles, which run code when read: the folder is made
readable and writable by its owner only, and a folder that anybody else could write into is
not used at all.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import stat
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import clearway
from clearway.services.screening.screener import Screener

log = logging.getLogger(__name__)

# Indexes kept: the lists in force and the few before them (an index is tens of MB).
KEEP = 3
_SUFFIX = ".screening-index"


@cache
def _code_fingerprint() -> str:
    """The SHA-256 of the code that makes and reads a screening index."""
    package = Path(clearway.__file__).parent
    digest = hashlib.sha256(clearway.__version__.encode())
    for folder in ("services/screening", "domain/screening"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def cache_file(folder: Path, lists: Sequence[str]) -> Path:
    """Where the index of these lists (``source:sha256`` each) is kept in ``folder``."""
    key = "\n".join([_code_fingerprint(), *lists]).encode()
    return folder / f"{hashlib.sha256(key).hexdigest()[:40]}{_SUFFIX}"


def _private(folder: Path) -> bool:
    """Whether ``folder`` is this user's and nobody else can write into it."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def read_cached(folder: Path, lists: Sequence[str]) -> Screener | None:
    """The index of these lists as an earlier process kept it, or None."""
    path = cache_file(folder, lists)
    if not _private(folder) or not path.is_file():
        return None
    collecting = gc.isenabled()
    # Millions of small objects come back at once: collecting while they do triples the time.
    gc.disable()
    try:
        with path.open("rb") as stored:
            screener = pickle.load(stored)
    except Exception as error:  # a truncated or foreign file: build afresh
        log.warning("screening index %s not read (%s); building it", path, error)
        return None
    finally:
        if collecting:
            gc.enable()
    return screener if isinstance(screener, Screener) else None


def keep(folder: Path, lists: Sequence[str], screener: Screener) -> None:
    """Keep the index for the next process; a folder that cannot be written is passed over."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):
            log.warning("screening index not kept: %s is writable by others", folder)
            return
        path = cache_file(folder, lists)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(screener, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)  # readers see the whole file or none
        finally:
            Path(temporary).unlink(missing_ok=True)
        kept = sorted(folder.glob(f"*{_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as error:
        log.warning("screening index not kept in %s: %s", folder, error)

"""Reading the files reference data is loaded from: bounded in size, and as text UTF-8 with or
without a byte-order mark, with CR, LF or CRLF line ends.

A file too large, in another encoding (UTF-16, Latin-1, Windows-1252 …) or holding NUL bytes is
refused with one line naming the file, and the line for a byte that is not UTF-8, so that it is
never half read or read as the wrong characters. Each loader turns ``TextFileError`` into its
own error.
"""

from __future__ import annotations

import codecs
import zlib
from pathlib import Path

MIB = 1024 * 1024


class TextFileError(ValueError):
    """A file that cannot be read as bounded UTF-8 text; the message names the file."""


def read_bytes(path: Path, max_bytes: int, *, name: str | None = None) -> bytes:
    """The bytes of ``path``, refused when there are more than ``max_bytes``; a ``.gz`` file is
    decompressed, within the same bound (a small archive may expand without limit)."""
    shown = name or str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as error:
        raise TextFileError(f"{shown}: {error.strerror or error}") from error
    if len(raw) > max_bytes:
        raise TextFileError(f"{shown}: larger than {_size(max_bytes)}, the most it may be")
    if path.suffix != ".gz":
        return raw
    return _gunzip(raw, max_bytes, shown)


def _gunzip(raw: bytes, max_bytes: int, shown: str) -> bytes:
    """Every member of a gzip file, stopping as soon as more than ``max_bytes`` come out."""
    parts: list[bytes] = []
    size = 0
    rest = raw
    while rest:
        inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            part = inflate.decompress(rest, max_bytes - size + 1)
        except zlib.error as error:
            raise TextFileError(f"{shown}: not a readable gzip file ({error})") from error
        size += len(part)
        if size > max_bytes:
            raise TextFileError(
                f"{shown}: expands to more than {_size(max_bytes)}, the most it may be"
            )
        if not inflate.eof:
            raise TextFileError(f"{shown}: the gzip file is cut short")
        parts.append(part)
        rest = inflate.unused_data
    return b"".join(parts)


def decode_text(data: bytes, source: str) -> str:
    """``data`` as text: UTF-8, a leading byte-order mark dropped."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TextFileError(f"{source}: UTF-16 text; save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise TextFileError(
            f"{source} line {_line_of(data, nul)}: a NUL byte, so not UTF-8 text (UTF-16 without a "
            "byte-order mark?); save the file as UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, byte = _line_of(data, error.start), data[error.start]
        raise TextFileError(
            f"{source} line {line}: byte 0x{byte:02X} is not UTF-8 (the file is in another "
            "encoding, such as Latin-1 or Windows-1252); save it as UTF-8"
        ) from error


def read_text(path: Path, max_bytes: int, *, name: str | None = None) -> str:
    """``path`` read and decoded with ``read_bytes`` and ``decode_text``."""
    return decode_text(read_bytes(path, max_bytes, name=name), name or str(path))


def _line_of(data: bytes, offset: int) -> int:
    """The 1-based line ``offset`` is on, counting CR, LF and CRLF as one line end each."""
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB else f"{count:,} bytes"

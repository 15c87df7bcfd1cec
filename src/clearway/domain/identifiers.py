"""Identifiers for declarations and events: UUID version 7 (RFC 9562 §5.7).

Time-ordered: the first 48 bits are the Unix time in milliseconds, so identifiers made together
sit together in the database's indexes instead of scattering writes over the whole B-tree, as
random (version 4) identifiers do. The remaining 74 bits are random, from the operating
system's generator.

A lodging makes some ten identifiers per declaration, so the random bits are drawn from the
system a few kilobytes at a time rather than one system call each. The drawn bytes belong to
the process that drew them: a forked child starts with none (two workers forked from one parent
never hand out the same bits), and each byte is handed out once, under a lock.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_DRAW = 4096
_BITS = 10  # bytes of randomness per identifier: 80 bits, 74 of them kept


class _RandomBytes:
    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        """Start afresh: no bytes drawn, and a lock no other thread of a parent may hold."""
        self._lock = threading.Lock()
        self._buffer = b""
        self._offset = 0

    def take(self, count: int) -> bytes:
        with self._lock:
            if self._offset + count > len(self._buffer):
                self._buffer, self._offset = os.urandom(_DRAW), 0
            start = self._offset
            self._offset = start + count
            return self._buffer[start : start + count]


_RANDOM = _RandomBytes()
os.register_at_fork(after_in_child=_RANDOM.forget)


def _uuid7_int() -> int:
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & (2**48 - 1)) << 80 | int.from_bytes(_RANDOM.take(_BITS))
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    return (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant


def uuid7() -> uuid.UUID:
    return uuid.UUID(int=_uuid7_int())


def new_id() -> str:
    """A version 7 UUID in its standard text form (``str(uuid7())``, without the object)."""
    text = f"{_uuid7_int():032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

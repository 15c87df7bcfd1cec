"""Identifiers for declarations and events: UUID version 7 (RFC 9562 §5.7).

Time-ordered: the first 48 bits are the Unix time in milliseconds, so identifiers made together
sit together in the database's indexes instead of scattering writes over the whole B-tree, as
random (version 4) identifiers do. The remaining 74 bits are random.
"""

from __future__ import annotations

import secrets
import time
import uuid


def uuid7() -> uuid.UUID:
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & (2**48 - 1)) << 80 | secrets.randbits(80)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 9562 variant
    return uuid.UUID(int=value)


def new_id() -> str:
    return str(uuid7())

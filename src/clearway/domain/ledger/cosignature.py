"""Witness cosignatures (c2sp.org/tlog-cosignature, Ed25519 ``cosignature/v1``).

A cosigner (a witness) that has checked a checkpoint is consistent with everything it saw
before signs, at a POSIX time ``t``, the message::

    cosignature/v1\\n
    time <t>\\n
    <checkpoint body>

and adds an ordinary note signature line whose bytes are the key ID (signature type ``0x04``),
then ``t`` as 8 bytes big-endian, then the 64-byte Ed25519 signature. :class:`Cosigner` and
:class:`CosignatureVerifier` wrap a raw signing primitive into the note protocols, so
cosignatures are made and checked by :meth:`Note.signed` and :func:`open_note` like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from clearway.domain.ledger.errors import CosignatureError
from clearway.domain.ledger.note import NoteSignature, NoteSigner, NoteVerifier

HEADER = b"cosignature/v1\n"
MAX_TIMESTAMP = (1 << 63) - 1
"""c2sp.org/tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1."""

ED25519_SIGNATURE_SIZE = 64


def _check_timestamp(timestamp: int) -> None:
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CosignatureError(f"cosignature timestamp {timestamp} is out of range")


def cosigned_message(checkpoint_body: bytes, timestamp: int) -> bytes:
    """What a cosigner signs: header line, ``time <t>`` line, then the checkpoint body."""
    _check_timestamp(timestamp)
    return HEADER + b"time %d\n" % timestamp + checkpoint_body


@dataclass(frozen=True, slots=True)
class Cosignature:
    """A ``timestamped_signature``: when the cosigner signed, and the Ed25519 signature."""

    timestamp: int
    signature: bytes

    def __post_init__(self) -> None:
        _check_timestamp(self.timestamp)
        if len(self.signature) != ED25519_SIGNATURE_SIZE:
            raise CosignatureError(f"an Ed25519 signature is {ED25519_SIGNATURE_SIZE} bytes")

    def to_bytes(self) -> bytes:
        """The bytes after the key ID in the signature line: u64 timestamp, then signature."""
        return self.timestamp.to_bytes(8, "big") + self.signature

    @classmethod
    def from_bytes(cls, blob: bytes) -> Cosignature:
        """Read a ``timestamped_signature`` (the signature line's bytes after the key ID)."""
        if len(blob) != 8 + ED25519_SIGNATURE_SIZE:
            raise CosignatureError(f"a cosignature is 72 bytes, this one is {len(blob)}")
        return cls(int.from_bytes(blob[:8], "big"), blob[8:])

    @classmethod
    def of(cls, signature: NoteSignature) -> Cosignature:
        """The cosignature carried by a note signature line, to read its timestamp."""
        return cls.from_bytes(signature.signature)


def posix_seconds(moment: datetime) -> int:
    """A timezone-aware time as whole POSIX seconds, the cosignature's timestamp."""
    if moment.tzinfo is None:
        raise CosignatureError("cosignature times must be timezone-aware")
    return int(moment.timestamp())


class Cosigner:
    """A note signer that makes ``cosignature/v1`` lines, timestamped by ``clock``.

    ``primitive`` signs raw bytes with the cosigner's Ed25519 key; its key ID must be computed
    with signature type ``0x04``.
    """

    def __init__(self, primitive: NoteSigner, clock: Callable[[], datetime]) -> None:
        self._primitive = primitive
        self._clock = clock

    @property
    def name(self) -> str:
        return self._primitive.name

    @property
    def key_id(self) -> int:
        return self._primitive.key_id

    def sign(self, message: bytes) -> bytes:
        """Cosign a checkpoint body now: the timestamped signature bytes."""
        timestamp = posix_seconds(self._clock())
        signature = self._primitive.sign(cosigned_message(message, timestamp))
        return Cosignature(timestamp, signature).to_bytes()


class CosignatureVerifier:
    """A note verifier for one cosigner's ``cosignature/v1`` lines.

    ``primitive`` verifies raw Ed25519 signatures under the cosigner's key (type ``0x04`` key
    ID). A malformed cosignature does not verify.
    """

    def __init__(self, primitive: NoteVerifier) -> None:
        self._primitive = primitive

    @property
    def name(self) -> str:
        return self._primitive.name

    @property
    def key_id(self) -> int:
        return self._primitive.key_id

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether the timestamped signature is the cosigner's over this checkpoint body."""
        try:
            cosignature = Cosignature.from_bytes(signature)
        except CosignatureError:
            return False
        signed = cosigned_message(message, cosignature.timestamp)
        return self._primitive.verify(signed, cosignature.signature)

"""Key names, key IDs and the text forms of keys for c2sp.org/signed-note.

A verifier key (a "vkey") is ``<name>+<8 hex digits of key ID>+<base64(type || public key)>``;
a signer key, in the format of Go's ``golang.org/x/mod/sumdb/note``, is
``PRIVATE+KEY+<name>+<8 hex digits>+<base64(type || private key)>``. The key ID is
``SHA-256(name || 0x0A || type || public key)[:4]`` read big-endian. Clearway uses two signature
types, both Ed25519: ``0x01`` for note signatures and ``0x04`` for c2sp.org/tlog-cosignature/v1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from clearway.domain.ledger.errors import MalformedKeyError

ED25519 = 0x01
"""c2sp.org/signed-note signature type: Ed25519 over the note text."""

COSIGNATURE_V1 = 0x04
"""c2sp.org/signed-note signature type: timestamped Ed25519 cosignature (tlog-cosignature)."""

ED25519_KEY_SIZE = 32
SIGNATURE_TYPES = frozenset({ED25519, COSIGNATURE_V1})

_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


def is_key_name(name: str) -> bool:
    """c2sp.org/signed-note: key names are non-empty, without Unicode spaces or ``+``."""
    return bool(name) and "+" not in name and not any(char.isspace() for char in name)


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """The recommended key ID: SHA-256(name || 0x0A || type || public key), first 4 bytes."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _decode_key(kind: str, name: str, hex_id: str, encoded: str) -> tuple[int, int, bytes]:
    """Check the name, key ID and base64 parts of a key string; the ID, type and key bytes."""
    if not is_key_name(name):
        raise MalformedKeyError(f"{kind}: {name!r} is not a valid key name")
    if not _KEY_ID.fullmatch(hex_id):
        raise MalformedKeyError(f"{kind}: key ID {hex_id!r} is not 8 hexadecimal digits")
    try:
        material = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise MalformedKeyError(f"{kind}: key material is not standard base64") from None
    if not material or material[0] not in SIGNATURE_TYPES:
        raise MalformedKeyError(f"{kind}: unsupported signature type")
    if len(material) != 1 + ED25519_KEY_SIZE:
        raise MalformedKeyError(f"{kind}: an Ed25519 key is {ED25519_KEY_SIZE} bytes")
    return int(hex_id, 16), material[0], material[1:]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """A public key as a c2sp.org/signed-note verifier key names it."""

    name: str
    signature_type: int
    public_key: bytes

    def __post_init__(self) -> None:
        if not is_key_name(self.name):
            raise MalformedKeyError(f"{self.name!r} is not a valid key name")
        if self.signature_type not in SIGNATURE_TYPES:
            raise MalformedKeyError(f"signature type {self.signature_type:#04x} is unsupported")
        if len(self.public_key) != ED25519_KEY_SIZE:
            raise MalformedKeyError(f"an Ed25519 public key is {ED25519_KEY_SIZE} bytes")

    @property
    def key_id(self) -> int:
        """The key ID signature lines carry for this key."""
        return key_id(self.name, self.signature_type, self.public_key)

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read ``<name>+<hex key ID>+<base64(type || key)>``, checking the key ID."""
        parts = text.split("+", 2)  # base64 key material may itself contain "+"
        if len(parts) != 3:
            raise MalformedKeyError("a verifier key is <name>+<key ID>+<key>")
        claimed, signature_type, public_key = _decode_key("verifier key", *parts)
        key = cls(parts[0], signature_type, public_key)
        if key.key_id != claimed:
            raise MalformedKeyError(f"verifier key ID {parts[1]} does not match {key.name}'s key")
        return key

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{material}"


@dataclass(frozen=True, slots=True)
class SignerKey:
    """A private key in Go's ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>`` form.

    The key ID cannot be checked without deriving the public key, which takes the signature
    algorithm; the signing adapter does that when it loads the key.
    """

    name: str
    key_id: int
    signature_type: int
    private_key: bytes = field(repr=False)

    @classmethod
    def parse(cls, text: str) -> SignerKey:
        """Read a signer key string; never echoes the key material in an error."""
        parts = text.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise MalformedKeyError("a signer key is PRIVATE+KEY+<name>+<key ID>+<key>")
        claimed, signature_type, private_key = _decode_key("signer key", *parts[2:])
        return cls(parts[2], claimed, signature_type, private_key)

    def __str__(self) -> str:
        material = base64.b64encode(bytes([self.signature_type]) + self.private_key).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

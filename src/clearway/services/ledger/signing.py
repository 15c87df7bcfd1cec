"""Ed25519 (RFC 8032) behind the ledger's note protocols, and the key files that hold the keys.

- :class:`SigningKey` is a log's or a witness's private key with the name it signs under. It
  reads and writes Go's ``golang.org/x/mod/sumdb/note`` signer-key format
  (``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>``) and gives a note signer
  (signature type ``0x01``) or a c2sp.org/tlog-cosignature cosigner (type ``0x04``, the same
  seed with the key ID recomputed, as transparency-dev witnesses do).
- :func:`note_verifier` and :func:`cosignature_verifier` turn verifier key strings into
  verifiers for :func:`~clearway.domain.ledger.note.open_note`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clearway.domain.ledger.cosignature import CosignatureVerifier, Cosigner
from clearway.domain.ledger.errors import MalformedKeyError
from clearway.domain.ledger.keys import COSIGNATURE_V1, ED25519, SignerKey, VerifierKey
from clearway.domain.ledger.note import NoteVerifier


class Ed25519Signer:
    """Signs raw bytes under a key name and the key ID of one signature type."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey, signature_type: int) -> None:
        self._private_key = private_key
        self.verifier_key = VerifierKey(
            name, signature_type, private_key.public_key().public_bytes_raw()
        )
        self._key_id = self.verifier_key.key_id

    @property
    def name(self) -> str:
        return self.verifier_key.name

    @property
    def key_id(self) -> int:
        return self._key_id

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature over ``message``."""
        return self._private_key.sign(message)


class Ed25519Verifier:
    """Verifies raw Ed25519 signatures under one verifier key."""

    def __init__(self, key: VerifierKey) -> None:
        self.verifier_key = key
        self._key_id = key.key_id
        self._public_key = Ed25519PublicKey.from_public_bytes(key.public_key)

    @property
    def name(self) -> str:
        return self.verifier_key.name

    @property
    def key_id(self) -> int:
        return self._key_id

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature over ``message``."""
        try:
            self._public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class SigningKey:
    """An Ed25519 private key and the key name it signs under."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = name
        self._private_key = private_key
        VerifierKey(name, ED25519, self.public_key)  # refuses a name notes cannot carry

    def __repr__(self) -> str:
        return f"SigningKey({self.name!r}, <private>)"

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, text: str) -> SigningKey:
        """Read a Go signer key string, checking its key ID against the derived public key."""
        parsed = SignerKey.parse(text.strip())
        if parsed.signature_type != ED25519:
            raise MalformedKeyError("a signer key must be an Ed25519 note key (type 0x01)")
        key = cls(parsed.name, Ed25519PrivateKey.from_private_bytes(parsed.private_key))
        if key.verifier_key().key_id != parsed.key_id:
            raise MalformedKeyError(f"signer key ID {parsed.key_id:08x} does not match the key")
        return key

    @property
    def public_key(self) -> bytes:
        """The 32-byte Ed25519 public key."""
        return self._private_key.public_key().public_bytes_raw()

    def signer_key(self) -> str:
        """The private key as a Go signer key string (keep it secret)."""
        verifier = self.verifier_key()
        seed = self._private_key.private_bytes_raw()
        return str(SignerKey(self.name, verifier.key_id, ED25519, seed))

    def verifier_key(self, signature_type: int = ED25519) -> VerifierKey:
        """The public verifier key for note signatures, or cosignatures with ``0x04``."""
        return VerifierKey(self.name, signature_type, self.public_key)

    def note_signer(self) -> Ed25519Signer:
        """A signer for c2sp.org/signed-note Ed25519 signatures (a log signing checkpoints)."""
        return Ed25519Signer(self.name, self._private_key, ED25519)

    def cosigner(self, clock: Callable[[], datetime]) -> Cosigner:
        """A c2sp.org/tlog-cosignature/v1 cosigner (a witness), timestamped by ``clock``."""
        return Cosigner(Ed25519Signer(self.name, self._private_key, COSIGNATURE_V1), clock)


def _verifier_key(key: str | VerifierKey) -> VerifierKey:
    return key if isinstance(key, VerifierKey) else VerifierKey.parse(key.strip())


def note_verifier(key: str | VerifierKey) -> NoteVerifier:
    """A verifier for a verifier key string: plain Ed25519 (``0x01``) or cosignature (``0x04``)."""
    parsed = _verifier_key(key)
    if parsed.signature_type == COSIGNATURE_V1:
        return CosignatureVerifier(Ed25519Verifier(parsed))
    return Ed25519Verifier(parsed)


def cosignature_verifier(key: str | VerifierKey) -> CosignatureVerifier:
    """A witness's cosignature verifier, from its ``0x04`` key or its ``0x01`` note key."""
    parsed = _verifier_key(key)
    cosigning = VerifierKey(parsed.name, COSIGNATURE_V1, parsed.public_key)
    return CosignatureVerifier(Ed25519Verifier(cosigning))


def write_key_files(
    key: SigningKey, private_path: Path, public_path: Path, signature_type: int = ED25519
) -> None:
    """Write a new key pair: the signer key readable by its owner only, the verifier key for all.

    Neither file may exist already, so a key is never overwritten by accident.
    """
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as private_file:
        private_file.write(key.signer_key() + "\n")
    with public_path.open("x", encoding="utf-8") as public_file:
        public_file.write(f"{key.verifier_key(signature_type)}\n")


def read_signing_key(path: Path) -> SigningKey:
    """Load a signer key file written by :func:`write_key_files` (or by Go's note tools)."""
    return SigningKey.from_signer_key(path.read_text(encoding="utf-8"))


def read_verifier_key(path: Path) -> VerifierKey:
    """Load a verifier key file."""
    return VerifierKey.parse(path.read_text(encoding="utf-8").strip())

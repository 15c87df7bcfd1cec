"""Signed notes (c2sp.org/signed-note): text signed by one or more keys.

A note is its text (ending in a newline), a blank line, then one line per signature::

    — <key name> <base64(4-byte big-endian key ID || signature)>

The signing primitive stays behind two small protocols, :class:`NoteSigner` and
:class:`NoteVerifier`, so this module needs only the standard library; the Ed25519
implementations live in ``clearway.services.ledger.signing``.

Opening a note follows the spec's rules: signatures from unknown keys are kept but not trusted;
a signature from a known key that fails rejects the whole note; a note with no verified
signature from a known key is rejected. Limits follow Go's ``golang.org/x/mod/sumdb/note``
(at most 100 signature lines).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from clearway.domain.ledger.errors import (
    AmbiguousKeyError,
    InvalidSignatureError,
    MalformedNoteError,
    UnverifiedNoteError,
)
from clearway.domain.ledger.keys import is_key_name

SIGNATURE_PREFIX = "\u2014 "
"""Every signature line opens with an em dash (U+2014) and a space."""

MAX_SIGNATURES = 100
"""More signature lines than this and the note is refused unread (the spec asks for ≥ 16)."""


class NoteSigner(Protocol):
    """Signs note texts under one key name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes:
        """The signature over ``message`` (without the key ID prefix)."""
        ...


class NoteVerifier(Protocol):
    """Checks signatures made under one key name and key ID."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (without the key ID prefix) is valid over ``message``."""
        ...


def _check_characters(message: str) -> None:
    """c2sp.org/signed-note: no ASCII control characters other than newline."""
    for char in message:
        if char < " " and char != "\n":
            raise MalformedNoteError(f"control character {ord(char):#04x} in note")


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: who signed (key name and ID) and the signature bytes."""

    key_name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        if not is_key_name(self.key_name):
            raise MalformedNoteError(f"{self.key_name!r} is not a valid key name")
        if not 0 <= self.key_id < 1 << 32:
            raise MalformedNoteError(f"key ID {self.key_id} does not fit in 32 bits")
        if not self.signature:
            raise MalformedNoteError(f"empty signature from {self.key_name}")

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{SIGNATURE_PREFIX}{self.key_name} {base64.b64encode(blob).decode()}\n"

    @classmethod
    def parse_line(cls, line: str) -> NoteSignature:
        """Read one signature line, without its newline."""
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedNoteError(f"signature line does not start with an em dash: {line!r}")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise MalformedNoteError(f"signature by {name!r} is not standard base64") from None
        if not space or len(blob) < 5:
            raise MalformedNoteError(f"signature line is too short: {line!r}")
        return cls(name, int.from_bytes(blob[:4], "big"), blob[4:])


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text and its signatures, in the order they appear."""

    text: str
    signatures: tuple[NoteSignature, ...] = ()

    def __post_init__(self) -> None:
        if not self.text.endswith("\n"):
            raise MalformedNoteError("note text must be non-empty and end with a newline")
        _check_characters(self.text)

    @property
    def message(self) -> bytes:
        """The bytes every signature is made over: the text, final newline included."""
        return self.text.encode()

    def to_text(self) -> str:
        """The signed note: text, blank line, signature lines."""
        if not self.signatures:
            raise MalformedNoteError("a signed note needs at least one signature")
        return self.text + "\n" + "".join(signature.line for signature in self.signatures)

    def to_bytes(self) -> bytes:
        """The signed note as UTF-8, the form it travels in."""
        return self.to_text().encode()

    def signed(self, *signers: NoteSigner) -> Note:
        """This note with a fresh signature from each signer.

        A signer's earlier signature (same key name and ID) is replaced; every other signature,
        including those from keys nobody here knows, is kept in place, new ones go last.
        """
        fresh = tuple(
            NoteSignature(signer.name, signer.key_id, signer.sign(self.message))
            for signer in signers
        )
        replaced = {(signature.key_name, signature.key_id) for signature in fresh}
        kept = tuple(s for s in self.signatures if (s.key_name, s.key_id) not in replaced)
        return Note(self.text, kept + fresh)


def parse_note(message: str | bytes) -> Note:
    """Split a signed note into text and signature lines, checking only its syntax."""
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("note is not valid UTF-8") from None
    _check_characters(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("note does not end with a signature line and newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has {len(lines)} signatures, at most {MAX_SIGNATURES}")
    return Note(text, tuple(NoteSignature.parse_line(line) for line in lines))


@dataclass(frozen=True, slots=True)
class OpenedNote:
    """A note whose signatures from known keys all verified, at least one of them."""

    note: Note
    verified: tuple[NoteSignature, ...]

    @property
    def text(self) -> str:
        """The note text, now trusted as far as the verified keys are."""
        return self.note.text

    @property
    def unverified(self) -> tuple[NoteSignature, ...]:
        """Signatures from keys this reader does not know, kept for passing on."""
        return tuple(s for s in self.note.signatures if s not in self.verified)


def open_note(message: str | bytes, verifiers: Iterable[NoteVerifier]) -> OpenedNote:
    """Parse a signed note and verify it against the known keys (c2sp.org/signed-note).

    Repeated identical signature lines count once. Raises :class:`InvalidSignatureError` if a
    known key's signature fails, :class:`UnverifiedNoteError` if no known key signed, and
    :class:`AmbiguousKeyError` if two known verifiers share the name and key ID used.
    """
    parsed = parse_note(message)
    known: dict[tuple[str, int], list[NoteVerifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    distinct = tuple(dict.fromkeys(parsed.signatures))
    note = Note(parsed.text, distinct)
    verified: list[NoteSignature] = []
    for signature in distinct:
        candidates = known.get((signature.key_name, signature.key_id), [])
        key = f"{signature.key_name}+{signature.key_id:08x}"
        if len(candidates) > 1:
            raise AmbiguousKeyError(f"ambiguous key {key}")
        if not candidates:
            continue
        if not candidates[0].verify(note.message, signature.signature):
            raise InvalidSignatureError(f"invalid signature for key {key}")
        verified.append(signature)
    if not verified:
        raise UnverifiedNoteError("note has no verifiable signatures", note)
    return OpenedNote(note, tuple(verified))

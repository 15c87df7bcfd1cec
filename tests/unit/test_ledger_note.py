"""Signed notes, checkpoints and cosignatures, held to published known answers.

The PeterNeumann and EnochRoot keys, notes and signatures are those of Go's reference
implementation, ``golang.org/x/mod/sumdb/note`` (``note_test.go`` in golang/mod, BSD-3-Clause).
Ed25519 is deterministic (RFC 8032), so signing the same text with the same key must reproduce
Go's signature line byte for byte. The checkpoint and cosignature examples are those of the
c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature specifications.
"""

from __future__ import annotations

import base64
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clearway.domain.ledger import (
    COSIGNATURE_V1,
    AmbiguousKeyError,
    Checkpoint,
    CheckpointError,
    Cosignature,
    InvalidSignatureError,
    MalformedKeyError,
    MalformedNoteError,
    Note,
    NoteSignature,
    NoteVerifier,
    SignerKey,
    UnverifiedNoteError,
    VerifierKey,
    cosigned_message,
    key_id,
    open_note,
    parse_note,
)
from clearway.services.ledger.signing import (
    SigningKey,
    cosignature_verifier,
    note_verifier,
    read_signing_key,
    read_verifier_key,
    write_key_files,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZ"
    "b6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox"
    "33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG

# c2sp.org/tlog-checkpoint and tlog-cosignature: the example checkpoint and witness line.
SOFA_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SOFA_WITNESS_LINE = (
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2"
    "oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NOW_POSIX = 1795428000
ROOT_HASH = bytes(range(32))


# --- checkpoints --------------------------------------------------------------------------


def test_the_spec_checkpoint_parses_and_prints_back_byte_for_byte() -> None:
    checkpoint = Checkpoint.parse(SOFA_BODY)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.root_hash == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert checkpoint.to_body() == SOFA_BODY


@pytest.mark.parametrize("size", [0, 1, 20852163, 2**64 - 1])
def test_a_checkpoint_survives_a_round_trip(size: int) -> None:
    checkpoint = Checkpoint("clearway.example/ledger", size, ROOT_HASH, ("ext one", "ext-2"))
    assert Checkpoint.parse(checkpoint.to_body()) == checkpoint


@pytest.mark.parametrize(
    "body",
    [
        SOFA_BODY[:-1],  # no final newline
        "example.com/log\n20852163\n",  # no root hash
        "\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # empty origin
        "example.com/log\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading 0
        "example.com/log\n+20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # sign
        "example.com/log\n2085_2163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # underscore
        "example.com/log\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # negative
        "example.com/log\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # bad base64
        "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",  # 30 bytes
        "example.com/log\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  # empty ext
    ],
)
def test_a_malformed_checkpoint_is_refused(body: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(body)


# --- the Go reference note ----------------------------------------------------------------


def test_the_reference_key_ids_are_recomputed() -> None:
    peter = VerifierKey.parse(PETER_VKEY)
    assert (peter.name, peter.key_id) == ("PeterNeumann", 0xC74F20A3)
    assert key_id("PeterNeumann", 0x01, peter.public_key) == 0xC74F20A3
    assert str(peter) == PETER_VKEY
    assert VerifierKey.parse(ENOCH_VKEY).key_id == 0xAF0CFE78


def test_the_reference_note_verifies() -> None:
    opened = open_note(PETER_NOTE, [note_verifier(PETER_VKEY)])
    assert opened.text == TEXT
    assert opened.verified == (NoteSignature.parse_line(PETER_SIG[:-1]),)
    assert opened.note.to_text() == PETER_NOTE


def test_signing_with_the_reference_key_reproduces_gos_note() -> None:
    signer = SigningKey.from_signer_key(PETER_SKEY)
    assert signer.signer_key() == PETER_SKEY
    assert str(signer.verifier_key()) == PETER_VKEY
    assert Note(TEXT).signed(signer.note_signer()).to_text() == PETER_NOTE
    stale = Note(TEXT, (NoteSignature("PeterNeumann", 0xC74F20A3, b"BADSIGN"),))
    assert stale.signed(signer.note_signer()).to_text() == PETER_NOTE  # replaced, not added


def test_a_tampered_body_is_rejected() -> None:
    with pytest.raises(InvalidSignatureError, match="PeterNeumann\\+c74f20a3"):
        open_note(PETER_NOTE.replace("cryptography", "cryptographY"), [note_verifier(PETER_VKEY)])


def test_a_note_signed_only_by_unknown_keys_is_rejected_but_kept() -> None:
    stranger = SigningKey.generate("PeterNeumann")  # same name, different key and key ID
    with pytest.raises(UnverifiedNoteError) as refused:
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [note_verifier(stranger.verifier_key())])
    assert [s.key_name for s in refused.value.note.signatures] == ["PeterNeumann", "EnochRoot"]


class Impostor:
    """Claims PeterNeumann's name and key ID while holding someone else's key."""

    name = "PeterNeumann"
    key_id = 0xC74F20A3

    def __init__(self, verifier: NoteVerifier) -> None:
        self._verifier = verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        return self._verifier.verify(message, signature)


def test_a_wrong_key_behind_a_known_name_and_id_is_rejected() -> None:
    other = note_verifier(SigningKey.generate("Other").verifier_key())
    with pytest.raises(InvalidSignatureError):
        open_note(PETER_NOTE, [Impostor(other)])


def test_unknown_signatures_are_kept_and_passed_on() -> None:
    message = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    opened = open_note(message, [note_verifier(PETER_VKEY)])
    assert [s.key_name for s in opened.verified] == ["PeterNeumann"]
    assert [s.key_name for s in opened.unverified] == ["EnochRoot"]
    assert opened.note.to_text() == message
    witness = SigningKey.generate("witness.example/w1")
    passed_on = opened.note.signed(witness.note_signer()).to_text()
    assert passed_on.startswith(message) and passed_on.count("\n— ") == 3


def test_both_reference_signatures_verify_with_both_keys() -> None:
    verifiers = [note_verifier(PETER_VKEY), note_verifier(ENOCH_VKEY)]
    opened = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, verifiers)
    assert [s.key_name for s in opened.verified] == ["PeterNeumann", "EnochRoot"]


def test_repeated_signature_lines_count_once() -> None:
    enoch_abcd = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    message = TEXT + "\n" + PETER_SIG * 2 + ENOCH_SIG * 2 + enoch_abcd
    opened = open_note(message, [note_verifier(PETER_VKEY)])
    assert len(opened.verified) == 1
    assert len(opened.unverified) == 2


def test_a_duplicated_verifier_is_ambiguous_only_when_used() -> None:
    enoch = note_verifier(ENOCH_VKEY)
    peter = note_verifier(PETER_VKEY)
    with pytest.raises(AmbiguousKeyError, match="EnochRoot\\+af0cfe78"):
        open_note(TEXT + "\n" + ENOCH_SIG, [enoch, peter, enoch])
    assert open_note(PETER_NOTE, [enoch, peter, enoch]).text == TEXT


def test_a_corrupted_known_signature_is_rejected() -> None:
    corrupted = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(InvalidSignatureError):
        open_note(corrupted, [note_verifier(PETER_VKEY)])


@pytest.mark.parametrize(
    "message",
    [
        TEXT.encode(),
        (TEXT + "\n").encode(),
        (TEXT + "\n" + PETER_SIG[:-1]).encode(),
        ("\x01" + TEXT + "\n" + PETER_SIG).encode(),
        b"\xff" + (TEXT + "\n" + PETER_SIG).encode(),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name")[:-1]).encode(),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n").encode(),
        (TEXT + "\n" + PETER_SIG * 101).encode(),
        (TEXT + "\n" + "— PeterNeumann AAAAAA==\n").encode(),  # a key ID, no signature
    ],
    ids=[
        "no-signatures",
        "blank-line-only",
        "no-final-newline",
        "control-character",
        "invalid-utf8",
        "space-in-name",
        "trailing-text",
        "101-signatures",
        "empty-signature",
    ],
)
def test_a_malformed_note_is_refused(message: bytes) -> None:
    with pytest.raises(MalformedNoteError):
        parse_note(message)


def _manglings(key: str) -> list[str]:
    """Every proper substring and every single-character increment, as Go's tests try."""
    substrings = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    bumped = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return [mangled for mangled in substrings + bumped if mangled != key]


def test_every_mangled_verifier_key_is_refused() -> None:
    manglings = [
        *_manglings(PETER_VKEY),
        # Go's two extra cases: a key of the wrong length and an unknown signature type, each
        # with its key ID recomputed to match
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ]
    for mangled in manglings:
        with pytest.raises(MalformedKeyError):
            VerifierKey.parse(mangled)


def test_every_mangled_signer_key_is_refused() -> None:
    for mangled in _manglings(PETER_SKEY):
        with pytest.raises(MalformedKeyError):
            SigningKey.from_signer_key(mangled)


# --- keys of our own ----------------------------------------------------------------------


def test_a_fresh_key_signs_a_checkpoint_its_verifier_accepts() -> None:
    log_key = SigningKey.generate("clearway.example/ledger")
    body = Checkpoint("clearway.example/ledger", 3, ROOT_HASH).to_body()
    signed = Note(body).signed(log_key.note_signer()).to_bytes()
    opened = open_note(signed, [note_verifier(str(log_key.verifier_key()))])
    assert Checkpoint.parse(opened.text).size == 3
    with pytest.raises(UnverifiedNoteError):
        open_note(
            signed, [note_verifier(SigningKey.generate("clearway.example/ledger").verifier_key())]
        )


def test_key_files_round_trip_and_keep_the_private_key_private(tmp_path: Path) -> None:
    key = SigningKey.generate("clearway.example/ledger")
    private, public = tmp_path / "ledger.key", tmp_path / "ledger.pub"
    write_key_files(key, private, public)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text(encoding="utf-8").startswith("PRIVATE+KEY+clearway.example/ledger+")
    assert read_signing_key(private).signer_key() == key.signer_key()
    assert read_verifier_key(public) == key.verifier_key()
    with pytest.raises(FileExistsError):
        write_key_files(SigningKey.generate("other"), private, tmp_path / "other.pub")
    assert read_signing_key(private).signer_key() == key.signer_key()


def test_a_signing_key_never_shows_its_secret() -> None:
    assert "AYEKFALV" not in repr(SigningKey.from_signer_key(PETER_SKEY))
    assert "AYEKFALV" not in repr(SignerKey.parse(PETER_SKEY))


# --- cosignatures -------------------------------------------------------------------------


def test_the_cosigned_message_is_the_spec_example() -> None:
    assert cosigned_message(SOFA_BODY.encode(), 1679315147) == (
        b"cosignature/v1\ntime 1679315147\n" + SOFA_BODY.encode()
    )


def test_the_spec_cosignature_line_carries_its_timestamp() -> None:
    line = NoteSignature.parse_line(SOFA_WITNESS_LINE)
    assert (line.key_name, line.key_id) == ("witness.example.com/w1", 0x8D66CF3F)
    assert Cosignature.of(line).timestamp == 1679315147


def _cosigned_checkpoint() -> tuple[SigningKey, SigningKey, Note]:
    log_key = SigningKey.generate("clearway.example/ledger")
    witness = SigningKey.generate("witness.example/w1")
    body = Checkpoint("clearway.example/ledger", 7, ROOT_HASH).to_body()
    note = Note(body).signed(log_key.note_signer()).signed(witness.cosigner(lambda: NOW))
    return log_key, witness, note


def test_a_cosignature_round_trips_through_the_note() -> None:
    log_key, witness, note = _cosigned_checkpoint()
    log_verifier = note_verifier(log_key.verifier_key())
    witness_vkey = witness.verifier_key(COSIGNATURE_V1)
    opened = open_note(note.to_text(), [log_verifier, cosignature_verifier(witness_vkey)])
    assert len(opened.verified) == 2
    cosignature = opened.verified[1]
    assert cosignature.key_id == witness_vkey.key_id != witness.verifier_key().key_id
    assert Cosignature.of(cosignature).timestamp == NOW_POSIX
    # the witness's 0x04 vkey works through the generic loader too, and so does its note key
    assert open_note(note.to_text(), [note_verifier(str(witness_vkey))]).verified == (cosignature,)
    assert open_note(note.to_text(), [cosignature_verifier(witness.verifier_key())]).verified


def test_a_cosignature_with_a_changed_timestamp_is_rejected() -> None:
    _, witness, note = _cosigned_checkpoint()
    genuine = note.signatures[1]
    claimed = Cosignature.of(genuine)
    for later in (claimed.timestamp + 1, claimed.timestamp - 3600):
        forged = NoteSignature(
            genuine.key_name, genuine.key_id, Cosignature(later, claimed.signature).to_bytes()
        )
        tampered = Note(note.text, (note.signatures[0], forged))
        with pytest.raises(InvalidSignatureError):
            open_note(tampered.to_text(), [cosignature_verifier(witness.verifier_key())])


def test_a_cosignature_is_not_a_plain_signature_of_the_same_key() -> None:
    _, witness, note = _cosigned_checkpoint()
    with pytest.raises(UnverifiedNoteError):
        open_note(note.to_text(), [note_verifier(witness.verifier_key())])


def test_cosigning_needs_an_aware_clock() -> None:
    witness = SigningKey.generate("witness.example/w1")
    naive = witness.cosigner(lambda: NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        Note(SOFA_BODY).signed(naive)

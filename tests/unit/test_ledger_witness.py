"""The witness's step: it cosigns a log's checkpoints only while each extends the last it
cosigned (RFC 9162 §2.1.4.2), and keeps what it saw in a state file that survives it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from clearway.domain.events import Event
from clearway.domain.ledger import Checkpoint, Cosignature, open_note, parse_note
from clearway.services.ledger.signing import SigningKey, cosignature_verifier
from clearway.services.ledger.witness import (
    Cosigned,
    WitnessRefusal,
    WitnessState,
    WitnessStateError,
    check_log_key,
    cosign,
    load_state,
    needs_proof,
    save_state,
    signed_checkpoint,
)
from tests.unit.test_ledger_receipts import NOW, ORIGIN, SmallLog, clearance_events

WITNESS = SigningKey.generate("border-agency.example/witness")


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def witness_step(state: WitnessState, log: SmallLog, size: int) -> Cosigned:
    """What ``clearway ledger witness`` does with what the log serves."""
    note = log.checkpoints[size]
    checkpoint = signed_checkpoint(state, note)
    proof = log.consistency(state.size, size) if needs_proof(state, checkpoint) else []
    return cosign(state, note, proof, WITNESS.cosigner(lambda: NOW))


def refusal(state: WitnessState, note: str, proof: list[bytes]) -> str:
    with pytest.raises(WitnessRefusal) as caught:
        cosign(state, note, proof, WITNESS.cosigner(lambda: NOW))
    assert "\n" not in str(caught.value)
    return str(caught.value)


@pytest.fixture(scope="module")
def log() -> SmallLog:
    return SmallLog.of(3, 8, 13)


def test_a_witness_follows_a_growing_log_and_cosigns_each_checkpoint(log: SmallLog) -> None:
    state = WitnessState.first(ORIGIN, log.key.verifier_key())
    for size in (3, 8, 13):
        done = witness_step(state, log, size)
        assert (done.state.size, done.state.root_hash) == (size, log.root(size))
        state = done.state
        # The log (or anyone) checks the cosignature with the witness's public key.
        opened = open_note(done.note, [cosignature_verifier(WITNESS.verifier_key())])
        assert opened.text == parse_note(log.checkpoints[size]).text
        assert Cosignature.of(opened.verified[0]).timestamp == int(NOW.timestamp())
    assert state == WitnessState(ORIGIN, log.key.verifier_key(), 13, log.root(13))


def test_the_cosigned_note_is_the_body_the_log_signed_and_one_cosignature(log: SmallLog) -> None:
    done = witness_step(WitnessState.first(ORIGIN, log.key.verifier_key()), log, 8)
    body, lines = done.note.split("\n\n")
    assert body + "\n" == Checkpoint(ORIGIN, 8, log.root(8)).to_body()
    assert lines.startswith("— border-agency.example/witness ")
    assert lines.count("\n") == 1


def test_the_same_checkpoint_again_is_cosigned_again(log: SmallLog) -> None:
    state = witness_step(WitnessState.first(ORIGIN, log.key.verifier_key()), log, 8).state
    assert witness_step(state, log, 8).state == state
    assert refusal(state, log.checkpoints[8], [log.root(3)]) == (
        "a consistency proof between equal sizes must be empty"
    )


def test_a_smaller_checkpoint_is_refused(log: SmallLog) -> None:
    state = WitnessState(ORIGIN, log.key.verifier_key(), 8, log.root(8))
    assert refusal(state, log.checkpoints[3], []) == (
        f"the log's checkpoint is at size 3 (root {b64(log.root(3))}), smaller than size 8 "
        f"(root {b64(log.root(8))}) the witness cosigned before: the log went back"
    )


def rewritten(log: SmallLog, changed_leaf: int, *sizes: int) -> SmallLog:
    """The same log key, the same history but for one event: a log that forked."""
    fork = SmallLog(key=log.key)
    events = clearance_events(max(sizes))
    altered = events[changed_leaf]
    events[changed_leaf] = Event(
        type=altered.type,
        declaration_id=altered.declaration_id,
        version=altered.version,
        status="released",
        actor=altered.actor,
        data=altered.data,
        occurred_at=altered.occurred_at,
        id=altered.id,
    )
    for size in sizes:
        fork.grow(events[len(fork.entries) : size])
    return fork


def test_a_rewritten_history_at_a_larger_size_is_refused(log: SmallLog) -> None:
    state = WitnessState(ORIGIN, log.key.verifier_key(), 8, log.root(8))
    forked = rewritten(log, 5, 13)  # leaf 5 said "accepted"; the log now says "released"
    # The forked log's own proof from 8 to 13 fits its tree, not the one the witness saw.
    message = refusal(state, forked.checkpoints[13], forked.consistency(8, 13))
    assert message.startswith(
        f"the log's checkpoint at size 13 (root {b64(forked.root(13))}) does not extend "
        f"size 8 (root {b64(log.root(8))}) the witness cosigned: the log rewrote its history ("
    )
    # Nor does the honest log's proof make the forked root acceptable.
    assert "rewrote its history" in refusal(state, forked.checkpoints[13], log.consistency(8, 13))


def test_leaves_after_the_kept_size_are_the_logs_to_choose(log: SmallLog) -> None:
    """Consistency binds only what the witness has seen: a tree that keeps the first 8 leaves
    and differs after them is an extension, and is cosigned."""
    state = WitnessState(ORIGIN, log.key.verifier_key(), 8, log.root(8))
    later = rewritten(log, 10, 8, 13)
    assert later.root(8) == log.root(8) and later.root(13) != log.root(13)
    assert witness_step(state, later, 13).state.root_hash == later.root(13)


def test_a_rewritten_history_at_the_same_size_is_refused(log: SmallLog) -> None:
    state = WitnessState(ORIGIN, log.key.verifier_key(), 8, log.root(8))
    fork = rewritten(log, 2, 8)
    assert refusal(state, fork.checkpoints[8], []) == (
        f"the log's checkpoint at size 8 has root {b64(fork.root(8))}, the witness cosigned "
        f"root {b64(log.root(8))} at that size: the log rewrote its history"
    )


def test_a_checkpoint_of_another_log_or_key_is_refused(log: SmallLog) -> None:
    state = WitnessState.first(ORIGIN, log.key.verifier_key())
    other = SmallLog.of(3)
    other_key = other.key.verifier_key()
    assert refusal(state, other.checkpoints[3], []) == (
        f"the checkpoint is not signed by the log key {ORIGIN}+{state.log_key.key_id:08x}"
    )
    renamed = log.sign(Checkpoint("other.example/ledger", 3, log.root(3)))
    assert refusal(state, renamed, []) == (
        f"the checkpoint is of the log 'other.example/ledger', the witness follows {ORIGIN!r}"
    )
    with pytest.raises(WitnessRefusal, match=f"{other_key.key_id:08x} is not the key"):
        check_log_key(state, other_key)
    check_log_key(state, log.key.verifier_key())


def test_a_checkpoint_edited_after_signing_is_refused(log: SmallLog) -> None:
    state = WitnessState.first(ORIGIN, log.key.verifier_key())
    edited = log.checkpoints[3].replace(b64(log.root(3)), b64(log.root(8)))
    assert refusal(state, edited, []).startswith("the log's signature on the checkpoint fails")


def test_state_is_kept_in_a_file_replaced_whole(log: SmallLog, tmp_path: Path) -> None:
    path = tmp_path / "witness.json"
    assert load_state(path) is None
    state = witness_step(WitnessState.first(ORIGIN, log.key.verifier_key()), log, 8).state
    save_state(path, state)
    assert load_state(path) == state
    document = json.loads(path.read_text())
    assert document == {
        "format": "clearway-witness-state/v1",
        "origin": ORIGIN,
        "log_key": str(log.key.verifier_key()),
        "size": 8,
        "root_hash": b64(log.root(8)),
    }
    newer = witness_step(state, log, 13).state
    save_state(path, newer)
    assert load_state(path) == newer
    assert [p.name for p in tmp_path.iterdir()] == ["witness.json"]  # no temporary left


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not JSON"),
        ('{"format": "something/v1"}', "not a clearway-witness-state/v1 document"),
        ('{"format": "clearway-witness-state/v1", "size": 3}', "the state has no origin"),
        (
            '{"format": "clearway-witness-state/v1", "size": -1, "origin": "o", '
            '"log_key": "k", "root_hash": ""}',
            "size -1 is not a tree size",
        ),
    ],
)
def test_a_damaged_state_file_is_not_taken_for_a_first_run(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "witness.json"
    path.write_text(text)
    with pytest.raises(WitnessStateError, match=message):
        load_state(path)

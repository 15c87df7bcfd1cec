"""The audit, on a real log's rows as the tables hold them: clean, it finds nothing; with one
row changed, deleted, swapped or forged in any table, it names where."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest

from clearway.domain.ledger import Checkpoint, leaf_hash, root_from_leaf_hashes
from clearway.services.ledger.audit import (
    MAX_PROBLEMS,
    AuditReport,
    CheckpointRow,
    EntryRow,
    EventRow,
    LeafHashRow,
    audit_log,
)
from clearway.services.ledger.signing import SigningKey
from tests.unit.test_ledger_receipts import ORIGIN, SmallLog, clearance_events

SIZES = (3, 6, 9, 16, 20)


@dataclass
class Tables:
    """The rows of the ledger's tables and of the outbox, to tamper with."""

    log: SmallLog
    entries: list[EntryRow] = field(default_factory=list)
    leaf_hashes: list[LeafHashRow] = field(default_factory=list)
    checkpoints: list[CheckpointRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)

    @classmethod
    def of(cls, log: SmallLog) -> Tables:
        return cls(
            log,
            entries=[(i, log.sequence(i), entry) for i, entry in enumerate(log.entries)],
            leaf_hashes=[(i, log.nodes[(0, i)]) for i in range(len(log.entries))],
            checkpoints=[(size, log.root(size), log.checkpoints[size]) for size in log.checkpoints],
            events=[(log.sequence(i), event) for i, event in enumerate(log.events)],
        )

    def audit(self, *, with_events: bool = True) -> AuditReport:
        return audit_log(
            iter(self.entries),
            iter(self.leaf_hashes),
            iter(self.checkpoints),
            self.log.key.verifier_key(),
            iter(self.events) if with_events else None,
            origin=ORIGIN,
        )


@pytest.fixture(scope="module")
def log() -> SmallLog:
    return SmallLog.of(*SIZES)


@pytest.fixture
def tables(log: SmallLog) -> Tables:
    return Tables.of(log)


def where(report: AuditReport) -> list[str]:
    return [problem.where for problem in report.problems]


def messages(report: AuditReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.where, []).append(problem.message)
    return found


def test_an_untouched_log_audits_clean(tables: Tables) -> None:
    report = tables.audit()
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints, report.events) == (20, 5, 20)


def test_the_roots_recomputed_in_one_pass_are_the_reference_roots() -> None:
    """A checkpoint at every size from the empty tree to 70: each recomputed root is checked."""
    log = SmallLog()
    log.checkpoints[0] = log.sign(Checkpoint(ORIGIN, 0, root_from_leaf_hashes([])))
    for event in clearance_events(70):
        log.grow([event])
    hashes = [leaf_hash(entry) for entry in log.entries]
    assert all(log.root(size) == root_from_leaf_hashes(hashes[:size]) for size in range(71))
    report = Tables.of(log).audit()
    assert report.ok, report.problems
    assert report.checkpoints == 71


def test_a_changed_byte_in_an_entry_is_named(tables: Tables, log: SmallLog) -> None:
    index, sequence, entry = tables.entries[7]
    tables.entries[7] = (
        index,
        sequence,
        entry.replace(b'"1119.50"', b'"1119.60"'),
    )
    found = messages(tables.audit())
    assert found["leaf 7"] == [
        "the entry's leaf hash differs from the stored leaf hash: the entry or the node was "
        "changed",
        f"the entry differs from outbox event {log.events[7].id} (DeclarationReleased) at "
        "sequence 15",
    ]
    # Checkpoints at 3 and 6 do not hold leaf 7; the three that do are each named.
    assert sorted(k for k in found if k.startswith("checkpoint")) == [
        "checkpoint 16",
        "checkpoint 20",
        "checkpoint 9",
    ]
    assert found["checkpoint 9"][0].endswith(
        "leaf 7 is the first whose hash differs from the stored leaf hashes"
    )


def test_an_entry_made_non_canonical_is_named(tables: Tables) -> None:
    index, sequence, entry = tables.entries[4]
    tables.entries[4] = (index, sequence, entry.replace(b'{"actor"', b'{ "actor"'))
    found = messages(tables.audit())
    assert found["leaf 4"][0] == "the entry is not in RFC 8785 canonical form"


def test_a_deleted_row_leaves_a_gap_that_is_named(tables: Tables, log: SmallLog) -> None:
    del tables.entries[5]
    report = tables.audit()
    found = messages(report)
    assert found["leaf 5"] == ["leaf 5 is missing: rows were deleted"]
    assert found["sequence 11"] == [
        f"outbox event {log.events[5].id} (DeclarationAccepted) is not in the log, though "
        "later events are"
    ]
    # Without leaf 5 the entries no longer give the roots signed at 6 and beyond.
    assert found["checkpoint 6"][0].endswith(
        "leaf 5 is the first whose hash differs from the stored leaf hashes"
    )
    assert "checkpoint 3" not in found
    # The rows after the gap are each still in place: nothing else is blamed on them.
    assert not any(key.startswith("leaf ") and key != "leaf 5" for key in found)


def test_two_swapped_rows_are_both_named(tables: Tables) -> None:
    tables.entries[3], tables.entries[12] = (
        (3, *tables.entries[12][1:]),
        (12, *tables.entries[3][1:]),
    )
    found = messages(tables.audit())
    stored = (
        "the entry's leaf hash differs from the stored leaf hash: the entry or the node was changed"
    )
    assert found["leaf 3"] == [stored]
    # The sequences, each row's own, now run out of order where the rows were moved.
    assert found["leaf 4"] == [
        "sequence 9 comes after sequence 25 (leaf 3): rows were swapped, reordered or inserted"
    ]
    assert found["leaf 12"] == [
        "sequence 7 comes after sequence 23 (leaf 11): rows were swapped, reordered or inserted",
        stored,
    ]
    assert found["checkpoint 6"][0].endswith(
        "leaf 3 is the first whose hash differs from the stored leaf hashes"
    )


def test_entries_swapped_under_their_rows_sequences_are_both_named(tables: Tables) -> None:
    (i, s, first), (j, t, second) = tables.entries[2], tables.entries[8]
    tables.entries[2], tables.entries[8] = (i, s, second), (j, t, first)
    found = messages(tables.audit())
    assert "the entry says sequence 17, its row 5" in found["leaf 2"]
    assert "the entry says sequence 5, its row 17" in found["leaf 8"]


def test_an_inserted_row_is_named(tables: Tables) -> None:
    tables.entries.insert(10, tables.entries[9])
    found = messages(tables.audit())
    assert found["leaf 9"][0] == (
        "leaf index 9 comes again after leaf 9: a duplicate or inserted row"
    )


def test_a_forged_checkpoint_root_is_named(tables: Tables, log: SmallLog) -> None:
    # The log key signed a root the entries do not give (a log that lied, or a stolen key).
    forged_root = log.root(8)
    tables.checkpoints[2] = (9, forged_root, log.sign(Checkpoint(ORIGIN, 9, forged_root)))
    found = messages(tables.audit())
    assert found == {
        "checkpoint 9": [
            f"the entries give root {log.root(9).hex()} at size 9, the log signed "
            f"{forged_root.hex()}; the entries agree with the stored leaf hashes"
        ]
    }


def test_a_checkpoint_signed_by_another_key_or_edited_is_named(
    tables: Tables, log: SmallLog
) -> None:
    impostor = SigningKey.generate(ORIGIN)
    tables.checkpoints[1] = (6, log.root(6), log.sign(Checkpoint(ORIGIN, 6, log.root(6)), impostor))
    size, _, note = tables.checkpoints[3]
    tables.checkpoints[3] = (size, log.root(15), note)  # the row's root column only
    edited = tables.checkpoints[4][2].replace("\n20\n", "\n19\n")
    tables.checkpoints[4] = (20, log.root(20), edited)
    found = messages(tables.audit())
    assert found == {
        "checkpoint 6": ["the checkpoint is not signed by the log key"],
        "checkpoint 16": ["the row's root hash differs from the root in its signed note"],
        "checkpoint 20": ["the log's signature on the checkpoint fails"],
    }


def test_a_changed_stored_leaf_hash_is_named(tables: Tables) -> None:
    tables.leaf_hashes[13] = (13, leaf_hash(b"something else"))
    assert where(tables.audit()) == ["leaf 13"]


def test_rows_deleted_at_the_end_are_named(tables: Tables) -> None:
    del tables.entries[17:]
    found = messages(tables.audit())
    assert found["checkpoint 20"] == [
        "the checkpoint is beyond the log's 17 entries: entries were deleted at the end"
    ]
    assert found["leaf 17"] == [
        "3 stored leaf hashes from position 17 have no entry: rows were deleted at the end"
    ]


def test_a_changed_outbox_event_is_named(tables: Tables, log: SmallLog) -> None:
    sequence, event = tables.events[10]
    tables.events[10] = (sequence, replace(event, status="released"))
    found = messages(tables.audit())
    assert found == {
        "leaf 10": [
            f"the entry differs from outbox event {event.id} (DeclarationRejected) at sequence 21"
        ]
    }
    assert tables.audit(with_events=False).ok


def test_events_not_yet_logged_are_not_problems(tables: Tables, log: SmallLog) -> None:
    newer = clearance_events(5, first=20)
    tables.events += [(log.sequence(20 + n), event) for n, event in enumerate(newer)]
    assert tables.audit().ok


def test_a_logged_event_missing_from_the_outbox_is_named(tables: Tables) -> None:
    del tables.events[4]
    assert messages(tables.audit()) == {"leaf 4": ["the outbox has no event at sequence 9"]}


def test_a_log_rewritten_wholesale_is_reported_within_bounds(tables: Tables) -> None:
    entries = [(i, s, entry + b" ") for i, s, entry in tables.entries] * 30
    report = audit_log(
        iter(entries), iter([]), iter([]), tables.log.key.verifier_key(), origin=ORIGIN
    )
    assert len(report.problems) == MAX_PROBLEMS
    assert report.omitted > 0 and not report.ok


def test_the_streams_are_read_in_step_not_all_at_once() -> None:
    """Every input is consumed as the pass reaches it: the audit of a log of a million
    leaves holds a few rows of each stream, not the log."""
    log = SmallLog.of(40, 100)
    tables = Tables.of(log)
    read = {"entries": 0, "leaf_hashes": 0, "events": 0}

    def stream(name: str, rows: list[tuple[int, object]]) -> Iterator[tuple[int, object]]:
        for row in rows:
            read[name] += 1
            # When the audit asks for this row it has read at most one entry further.
            assert read[name] <= read["entries"] + 1 or name == "entries"
            yield row

    report = audit_log(
        stream("entries", tables.entries),  # type: ignore[arg-type]
        stream("leaf_hashes", tables.leaf_hashes),  # type: ignore[arg-type]
        iter(tables.checkpoints),
        log.key.verifier_key(),
        stream("events", tables.events),  # type: ignore[arg-type]
    )
    assert report.ok and report.entries == 100


def test_a_checkpoint_of_another_origin_is_named(tables: Tables, log: SmallLog) -> None:
    root = log.root(3)
    tables.checkpoints[0] = (3, root, log.sign(Checkpoint("other.example/ledger", 3, root)))
    assert messages(tables.audit()) == {
        "checkpoint 3": [f"the checkpoint is of the log 'other.example/ledger', not {ORIGIN!r}"]
    }

"""The ledger audit: everything the log's own tables say, checked against everything else they
say, in one linear pass over the entries.

The log stores each entry's bytes, the hash of every perfect subtree (level 0: the leaf
hashes), the checkpoints it signed and, upstream, the outbox events the entries record. A row
deleted, inserted, edited or swapped in any of them breaks an agreement the audit checks:

- leaf indexes run 0, 1, 2 … without a gap or a repeat;
- each entry is canonical (RFC 8785), its ``sequence`` member is its row's, and sequences rise;
- each entry's leaf hash (RFC 9162 §2.1.1) is the stored level-0 hash at its index;
- each checkpoint is signed by the log key (c2sp.org/signed-note) and its root is the root of
  the tree over the first ``size`` entries, as stored (recomputed with the compact appender,
  O(1) memory in the log's size);
- each outbox event, serialised again, is the entry logged for its sequence, and every event
  below the newest logged sequence is in the log.

Every problem names where it is: a leaf index, a checkpoint's tree size or an event's sequence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from clearway.domain.events import Event
from clearway.domain.ledger import (
    Checkpoint,
    CheckpointError,
    InvalidSignatureError,
    NoteError,
    NoteVerifier,
    RightBorder,
    UnverifiedNoteError,
    VerifierKey,
    append_leaves,
    leaf_hash,
    open_note,
)
from clearway.services.ledger.entries import EntryError, event_entry, read_entry
from clearway.services.ledger.signing import note_verifier

EntryRow = tuple[int, int, bytes]
"""``(leaf_index, sequence, entry)``: one row of the log's entries."""
LeafHashRow = tuple[int, bytes]
"""``(position, hash)``: one stored level-0 node, a leaf hash."""
CheckpointRow = tuple[int, bytes, str]
"""``(tree_size, root_hash, note)``: one stored checkpoint and the signed note as stored."""
EventRow = tuple[int, Event]
"""``(sequence, event)``: one outbox event."""

MAX_PROBLEMS = 1000
"""Problems kept in a report; past this they are counted, not kept (a log rewritten wholesale
would otherwise fill memory with one problem per leaf)."""

_APPEND_BATCH = 4096


@dataclass(frozen=True, slots=True)
class Problem:
    """One disagreement, and where it is: a leaf index, a checkpoint's size or a sequence."""

    message: str
    leaf_index: int | None = None
    tree_size: int | None = None
    sequence: int | None = None

    @property
    def where(self) -> str:
        """``leaf 5``, ``checkpoint 12`` or ``sequence 40``."""
        if self.leaf_index is not None:
            return f"leaf {self.leaf_index}"
        if self.tree_size is not None:
            return f"checkpoint {self.tree_size}"
        return f"sequence {self.sequence}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What was audited and every problem found (the first :data:`MAX_PROBLEMS` of them)."""

    entries: int
    checkpoints: int
    events: int
    problems: tuple[Problem, ...]
    omitted: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted


def audit_log(
    entries: Iterable[EntryRow],
    stored_leaf_hashes: Iterable[LeafHashRow],
    checkpoints: Iterable[CheckpointRow],
    log_verifier: NoteVerifier | VerifierKey,
    events: Iterable[EventRow] | None = None,
    *,
    origin: str | None = None,
) -> AuditReport:
    """Audit the log in one pass; each input is a stream, read once, in its own key's order.

    ``entries`` in leaf-index order, ``stored_leaf_hashes`` in position order, ``checkpoints``
    in tree-size order, ``events`` (when given, to compare the outbox) in sequence order.
    ``origin``, when given, is the origin every checkpoint must name.
    """
    if isinstance(log_verifier, VerifierKey):
        log_verifier = note_verifier(log_verifier)
    audit = _Audit(log_verifier, origin, stored_leaf_hashes, checkpoints, events)
    for leaf_index, sequence, entry in entries:
        audit.entry(leaf_index, sequence, entry)
    return audit.finish()


class _Lookahead:
    """The stored leaf hashes, read ahead as far as asked and let go of once passed: the audit
    looks one up by a row's leaf index and by its position in the tree, which part only where
    rows are missing."""

    def __init__(self, rows: Iterable[LeafHashRow]) -> None:
        self._rows: Iterator[LeafHashRow] = iter(rows)
        self._held: dict[int, bytes] = {}
        self._read_to = -1
        self._exhausted = False

    def get(self, position: int) -> bytes | None:
        while not self._exhausted and self._read_to < position:
            row = next(self._rows, None)
            if row is None:
                self._exhausted = True
                break
            self._read_to = row[0]
            self._held[row[0]] = bytes(row[1])
        return self._held.get(position)

    def release_below(self, position: int) -> None:
        while self._held:
            first = next(iter(self._held))
            if first >= position:
                return
            del self._held[first]

    def beyond(self, last: int) -> list[int]:
        """Positions stored after ``last`` (read to the end): leaf hashes without an entry."""
        self.get(1 << 64)
        return [position for position in self._held if position > last]


class _Audit:
    def __init__(
        self,
        verifier: NoteVerifier,
        origin: str | None,
        stored: Iterable[LeafHashRow],
        checkpoints: Iterable[CheckpointRow],
        events: Iterable[EventRow] | None,
    ) -> None:
        self._verifier = verifier
        self._origin = origin
        self._stored = _Lookahead(stored)
        self._checkpoints = iter(checkpoints)
        self._next_checkpoint = next(self._checkpoints, None)
        self._events = None if events is None else iter(events)
        self._problems: list[Problem] = []
        self._omitted = 0
        self._border = RightBorder.empty()
        self._pending: list[bytes] = []
        self._first_difference: int | None = None
        self._last_index = -1
        self._last_sequence: tuple[int, int] | None = None  # (sequence, leaf index)
        self._entry_count = 0
        self._checkpoint_count = 0
        self._event_count = 0
        self._waiting: dict[int, Event] = {}
        self._events_read_to = 0
        self._events_exhausted = False
        self._max_sequence = 0
        self._reach_checkpoints()

    @property
    def _size(self) -> int:
        return self._border.size + len(self._pending)

    def _report(self, message: str, **where: int) -> None:
        if len(self._problems) < MAX_PROBLEMS:
            self._problems.append(Problem(message, **where))
        else:
            self._omitted += 1

    def entry(self, leaf_index: int, sequence: int, entry: bytes) -> None:
        position = self._size
        self._entry_count += 1
        self._check_index(leaf_index)
        self._check_entry(leaf_index, sequence, entry)
        hashed = leaf_hash(entry)
        stored = self._stored.get(leaf_index)
        if stored is None:
            self._report("no stored leaf hash (level-0 node) for this leaf", leaf_index=leaf_index)
        elif stored != hashed:
            self._report(
                "the entry's leaf hash differs from the stored leaf hash: the entry or the "
                "node was changed",
                leaf_index=leaf_index,
            )
        if self._first_difference is None:
            in_tree = stored if position == leaf_index else self._stored.get(position)
            if in_tree != hashed:
                self._first_difference = position
        self._stored.release_below(min(position, leaf_index))
        if self._events is not None:
            self._check_event(leaf_index, sequence, entry)
        self._pending.append(hashed)
        self._reach_checkpoints()

    def _check_index(self, leaf_index: int) -> None:
        expected = self._last_index + 1
        if leaf_index > expected:
            missing = (
                f"leaf {expected} is missing"
                if leaf_index == expected + 1
                else f"leaves {expected} to {leaf_index - 1} are missing"
            )
            self._report(f"{missing}: rows were deleted", leaf_index=expected)
        elif leaf_index < expected:
            self._report(
                f"leaf index {leaf_index} comes again after leaf {self._last_index}: "
                "a duplicate or inserted row",
                leaf_index=leaf_index,
            )
        self._last_index = max(self._last_index, leaf_index)

    def _check_entry(self, leaf_index: int, sequence: int, entry: bytes) -> None:
        try:
            logged = read_entry(entry)
        except EntryError as error:
            self._report(str(error), leaf_index=leaf_index)
        else:
            if logged.sequence != sequence or type(logged.sequence) is not int:
                self._report(
                    f"the entry says sequence {logged.sequence!r}, its row {sequence}",
                    leaf_index=leaf_index,
                )
        if self._last_sequence is not None and sequence <= self._last_sequence[0]:
            before, before_leaf = self._last_sequence
            self._report(
                f"sequence {sequence} comes after sequence {before} (leaf {before_leaf}): "
                "rows were swapped, reordered or inserted",
                leaf_index=leaf_index,
            )
        self._last_sequence = (sequence, leaf_index)

    def _check_event(self, leaf_index: int, sequence: int, entry: bytes) -> None:
        """Compare the entry with the outbox event of its row's sequence.

        Events are read in sequence order as far as the rows need; an event read past but not
        yet matched waits, so rows out of order cost memory only as far as they are out.
        """
        self._max_sequence = max(self._max_sequence, sequence)
        event = self._waiting.pop(sequence, None)
        while event is None and not self._events_exhausted and self._events_read_to < sequence:
            assert self._events is not None
            row = next(self._events, None)
            if row is None:
                self._events_exhausted = True
                break
            self._events_read_to = row[0]
            if row[0] == sequence:
                event = row[1]
            else:
                self._waiting[row[0]] = row[1]
        if event is None:
            self._report(f"the outbox has no event at sequence {sequence}", leaf_index=leaf_index)
            return
        self._event_count += 1
        try:
            expected = event_entry(sequence, event)
        except EntryError as error:
            self._report(f"outbox event {event.id}: {error}", leaf_index=leaf_index)
            return
        if expected != entry:
            self._report(
                f"the entry differs from outbox event {event.id} ({event.type}) at sequence "
                f"{sequence}",
                leaf_index=leaf_index,
            )

    def _reach_checkpoints(self) -> None:
        size = self._size
        while self._next_checkpoint is not None and self._next_checkpoint[0] <= size:
            tree_size, root_hash, note = self._next_checkpoint
            self._checkpoint_count += 1
            if tree_size < size:
                self._report(
                    "checkpoints are out of tree-size order: not checked", tree_size=tree_size
                )
            else:
                self._check_checkpoint(tree_size, bytes(root_hash), note, self._root())
            self._next_checkpoint = next(self._checkpoints, None)
        if len(self._pending) >= _APPEND_BATCH:
            self._append()

    def _append(self) -> None:
        if self._pending:
            self._border = append_leaves(self._border, self._pending).border
            self._pending = []

    def _root(self) -> bytes:
        self._append()
        return self._border.root()

    def _signed(self, tree_size: int, note: str) -> Checkpoint | None:
        """The checkpoint in the stored note if the log key signed it; else reported."""
        try:
            opened = open_note(note, [self._verifier])
            signed = Checkpoint.parse(opened.text)
        except UnverifiedNoteError:
            self._report("the checkpoint is not signed by the log key", tree_size=tree_size)
            return None
        except InvalidSignatureError:
            self._report("the log's signature on the checkpoint fails", tree_size=tree_size)
            return None
        except CheckpointError as error:
            self._report(f"the signed note is not a checkpoint: {error}", tree_size=tree_size)
            return None
        except NoteError as error:
            self._report(f"the checkpoint is not a signed note: {error}", tree_size=tree_size)
            return None
        if self._origin is not None and signed.origin != self._origin:
            self._report(
                f"the checkpoint is of the log {signed.origin!r}, not {self._origin!r}",
                tree_size=tree_size,
            )
        if signed.size != tree_size:
            self._report(
                f"the row is at tree size {tree_size}, its signed note at {signed.size}",
                tree_size=tree_size,
            )
            return None
        return signed

    def _check_checkpoint(self, tree_size: int, root_hash: bytes, note: str, root: bytes) -> None:
        signed = self._signed(tree_size, note)
        if signed is None:
            return
        if signed.root_hash != root_hash:
            self._report(
                "the row's root hash differs from the root in its signed note",
                tree_size=tree_size,
            )
        if signed.root_hash == root:
            return
        if self._first_difference is not None and self._first_difference < tree_size:
            where = (
                f"leaf {self._first_difference} is the first whose hash differs from the "
                "stored leaf hashes"
            )
        else:
            where = "the entries agree with the stored leaf hashes"
        self._report(
            f"the entries give root {root.hex()} at size {tree_size}, the log signed "
            f"{signed.root_hash.hex()}; {where}",
            tree_size=tree_size,
        )

    def finish(self) -> AuditReport:
        self._append()
        while self._next_checkpoint is not None:
            tree_size, _, note = self._next_checkpoint
            self._checkpoint_count += 1
            if self._signed(tree_size, note) is not None:
                self._report(
                    f"the checkpoint is beyond the log's {self._size} entries: entries were "
                    "deleted at the end",
                    tree_size=tree_size,
                )
            self._next_checkpoint = next(self._checkpoints, None)
        orphans = self._stored.beyond(self._last_index)
        if orphans:
            self._report(
                f"{len(orphans)} stored leaf hashes from position {orphans[0]} have no entry: "
                "rows were deleted at the end",
                leaf_index=orphans[0],
            )
        for sequence in sorted(self._waiting):
            if sequence < self._max_sequence:
                event = self._waiting[sequence]
                self._report(
                    f"outbox event {event.id} ({event.type}) is not in the log, though later "
                    "events are",
                    sequence=sequence,
                )
        return AuditReport(
            entries=self._entry_count,
            checkpoints=self._checkpoint_count,
            events=self._event_count,
            problems=tuple(self._problems),
            omitted=self._omitted,
        )

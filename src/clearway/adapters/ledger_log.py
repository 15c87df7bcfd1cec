"""Reading the ledger as its users do: the newest checkpoint with its cosignatures, inclusion
and consistency proofs assembled from stored nodes (RFC 9162 §2.1.3, §2.1.4), entries, a
declaration's receipt, and witnesses' cosignatures checked before they are kept.

Every proof is built from the O(log n) stored perfect-subtree hashes its plan names, fetched in
one query: nothing re-hashes the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from clearway.adapters import ledger_store as store
from clearway.adapters import ledger_witnesses as witnesses
from clearway.domain.errors import BadRequest, Conflict, NotFound
from clearway.domain.ledger import (
    VerifierKey,
    assemble_proof,
    consistency_plan,
    inclusion_plan,
)
from clearway.services.ledger.cosigning import (
    accepted_cosignatures,
    cosigned_checkpoint,
    witness_key,
)
from clearway.services.ledger.entries import EntryError, read_entry
from clearway.services.ledger.receipts import build_receipt

MAX_ENTRIES = 1000


class LedgerRequestError(BadRequest):
    """A proof or range the log cannot give (sizes out of range, start after end …)."""


@dataclass(frozen=True, slots=True)
class LedgerState:
    """The log as its auditor first looks at it."""

    checkpoint: store.StoredCheckpoint | None
    note: str | None
    """The newest checkpoint's signed note, with the witnesses' cosignature lines."""
    cosignatures: tuple[witnesses.StoredCosignature, ...]
    not_integrated: int
    """Outbox events recorded but not yet in the log (the integrator runs every few seconds)."""


class LedgerReader:
    """The log as served: its origin and key, checkpoints, proofs, entries and receipts."""

    def __init__(self, engine: Engine, origin: str, verifier_key: VerifierKey) -> None:
        self.engine = engine
        self.origin = origin
        self.verifier_key = verifier_key

    def checkpoint(self) -> str:
        """The newest signed checkpoint, with every witness's cosignature line after the log's."""
        with self.engine.connect() as connection:
            signed = store.newest_checkpoint(connection)
            if signed is None:
                raise NotFound("the ledger has no checkpoint yet")
            return _with_cosignatures(connection, signed)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of ``size`` (RFC 9162 §2.1.3.1)."""
        with self.engine.connect() as connection:
            self._within(connection, size)
            if not 0 <= index < size:
                raise LedgerRequestError(f"leaf {index} is not in a tree of {size}")
            plan = inclusion_plan(index, size)
            return assemble_proof(plan, store.read_nodes(connection, plan.node_ids))

    def consistency(self, first: int, second: int) -> list[bytes]:
        """The proof that the tree of ``second`` extends that of ``first`` (§2.1.4.1)."""
        with self.engine.connect() as connection:
            self._within(connection, second)
            if not 0 < first <= second:
                raise LedgerRequestError(
                    f"a consistency proof needs 0 < first <= second, not {first} and {second}"
                )
            plan = consistency_plan(first, second)
            return assemble_proof(plan, store.read_nodes(connection, plan.node_ids))

    def entries(self, start: int, end: int) -> list[store.LoggedEntry]:
        """Entries ``start <= index < end`` (at most ``MAX_ENTRIES``)."""
        if not 0 <= start < end:
            raise LedgerRequestError(f"an entry range needs 0 <= start < end, not {start}, {end}")
        if end - start > MAX_ENTRIES:
            raise LedgerRequestError(f"at most {MAX_ENTRIES} entries at a time")
        with self.engine.connect() as connection:
            return store.read_entries(connection, start, end)

    def receipt(self, declaration_id: str) -> dict[str, Any]:
        """A self-contained receipt for the declaration's newest logged event."""
        with self.engine.connect() as connection:
            logged = store.newest_entry_of(connection, declaration_id)
            return self._receipt(connection, declaration_id, logged)

    def event_receipt(self, declaration_id: str, sequence: int) -> dict[str, Any]:
        """The receipt of one event of the declaration (its outbox ``sequence``), so that an
        auditor can prove any step of its history, not only the newest."""
        with self.engine.connect() as connection:
            found = store.entries_of_sequences(connection, [sequence])
            logged = found[0] if found else None
            if logged is not None and not _records(logged, declaration_id):
                logged = None
            return self._receipt(connection, declaration_id, logged)

    def _receipt(
        self, connection: Connection, declaration_id: str, logged: store.LoggedEntry | None
    ) -> dict[str, Any]:
        signed = store.newest_checkpoint(connection)
        if logged is None or signed is None or logged.leaf_index >= signed.tree_size:
            raise NotFound(f"declaration {declaration_id} has no event in a signed checkpoint yet")
        plan = inclusion_plan(logged.leaf_index, signed.tree_size)
        proof = assemble_proof(plan, store.read_nodes(connection, plan.node_ids))
        return build_receipt(
            origin=self.origin,
            entry=logged.entry,
            leaf_index=logged.leaf_index,
            tree_size=signed.tree_size,
            inclusion_proof=proof,
            checkpoint=_with_cosignatures(connection, signed),
        )

    def leaf_indexes(self, sequences: Iterable[int]) -> dict[int, int]:
        """Outbox sequence → leaf index, for the events among ``sequences`` already logged."""
        with self.engine.connect() as connection:
            logged = store.entries_of_sequences(connection, sequences)
        return {entry.sequence: entry.leaf_index for entry in logged}

    def state(self) -> LedgerState:
        """The newest checkpoint, its witnesses' cosignatures and the events still to log."""
        with self.engine.connect() as connection:
            signed = store.newest_checkpoint(connection)
            pending = store.events_not_integrated(connection)
            if signed is None:
                return LedgerState(None, None, (), pending)
            return LedgerState(
                signed,
                _with_cosignatures(connection, signed),
                tuple(witnesses.cosignatures(connection, signed.tree_size)),
                pending,
            )

    def register_witness(self, name: str, verifier_key: str, actor: str, at: datetime) -> None:
        """Record a partner agency's witness key (C2SP tlog-cosignature, type 0x04)."""
        witness_key(name, verifier_key)
        with self.engine.begin() as connection:
            if name in witnesses.witness_keys(connection):
                raise Conflict(f"witness {name!r} is already registered")
            witnesses.add_witness(connection, name, verifier_key, actor, at)

    def add_cosignature(self, cosigned: str, at: datetime) -> list[str]:
        """Keep the registered witnesses' cosignatures on a checkpoint the log signed; the
        witnesses kept (``clearway.services.ledger.cosigning`` has the rules)."""
        note, checkpoint = cosigned_checkpoint(cosigned)
        with self.engine.begin() as connection:
            signed = store.checkpoint_at(connection, checkpoint.size)
            accepted = accepted_cosignatures(
                note, None if signed is None else signed.note, witnesses.witness_keys(connection)
            )
            for name, line in accepted.items():
                witnesses.store_cosignature(connection, checkpoint.size, name, line, at)
        return list(accepted)

    def _within(self, connection: Connection, size: int) -> None:
        if store.checkpoint_at(connection, size) is None:
            raise LedgerRequestError(f"the log has signed no checkpoint at tree size {size}")


def _records(logged: store.LoggedEntry, declaration_id: str) -> bool:
    """Whether the entry is an event of this declaration (an unreadable one is not)."""
    try:
        return read_entry(logged.entry).declaration_id == declaration_id
    except EntryError:
        return False


def _with_cosignatures(connection: Connection, signed: store.StoredCheckpoint) -> str:
    return signed.note + "".join(witnesses.cosignature_lines(connection, signed.tree_size))

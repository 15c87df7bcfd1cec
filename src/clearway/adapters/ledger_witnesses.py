"""The ledger's witnesses and their cosignatures: who is registered to cosign the log's
checkpoints, and the signature lines they gave."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from clearway.adapters.audit_trail import record
from clearway.adapters.ledger_tables import ledger_cosignatures, ledger_witnesses


@dataclass(frozen=True, slots=True)
class StoredCosignature:
    witness: str
    signature_line: str
    cosigned_at: datetime


def cosignatures(connection: Connection, size: int) -> list[StoredCosignature]:
    """The witnesses' cosignatures kept on the checkpoint of ``size``, by witness name."""
    rows = connection.execute(
        select(
            ledger_cosignatures.c.witness,
            ledger_cosignatures.c.signature_line,
            ledger_cosignatures.c.cosigned_at,
        )
        .where(ledger_cosignatures.c.tree_size == size)
        .order_by(ledger_cosignatures.c.witness)
    )
    return [StoredCosignature(row.witness, row.signature_line, row.cosigned_at) for row in rows]


def witness_keys(connection: Connection) -> dict[str, str]:
    """Registered witnesses: name → verifier key."""
    rows = connection.execute(select(ledger_witnesses.c.name, ledger_witnesses.c.verifier_key))
    return {row.name: row.verifier_key for row in rows}


def add_witness(
    connection: Connection, name: str, verifier_key: str, actor: str, at: datetime
) -> None:
    connection.execute(
        insert(ledger_witnesses).values(
            name=name, verifier_key=verifier_key, registered_at=at, registered_by=actor
        )
    )
    record(connection, "witness.registered", "witness", name, {"verifier_key": verifier_key})


def store_cosignature(
    connection: Connection, size: int, witness: str, line: str, at: datetime
) -> None:
    """Keep a witness's signature line on a checkpoint (a newer one replaces it)."""
    connection.execute(
        ledger_cosignatures.delete().where(
            ledger_cosignatures.c.tree_size == size, ledger_cosignatures.c.witness == witness
        )
    )
    connection.execute(
        insert(ledger_cosignatures).values(
            tree_size=size, witness=witness, signature_line=line, cosigned_at=at
        )
    )


def cosignature_lines(connection: Connection, size: int) -> list[str]:
    """The witnesses' signature lines on the checkpoint of ``size``, by witness name."""
    return list(
        connection.execute(
            select(ledger_cosignatures.c.signature_line)
            .where(ledger_cosignatures.c.tree_size == size)
            .order_by(ledger_cosignatures.c.witness)
        ).scalars()
    )

"""The ledger's rows: each leaf's exact bytes, the hash of every perfect subtree, the signed
checkpoints, and the witnesses with their cosignatures.

A leaf's index is its position in the log; ``sequence`` ties it to the outbox event it records.
Nodes are addressed ``(level, position)`` as in ``clearway.domain.ledger.compact``: the subtree
over leaves ``[position·2^level, (position+1)·2^level)``, level 0 being the leaf hashes. Nothing
here is ever updated or deleted: the log only grows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary, SmallInteger, String, Table, Text

from clearway.adapters.tables import metadata
from clearway.adapters.types import UtcDateTime

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("sequence", BigInteger, nullable=False, unique=True),
    # RFC 8785 canonical JSON of the event: the bytes whose hash is the leaf.
    Column("entry", LargeBinary, nullable=False),
)

ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    # The C2SP signed note exactly as signed.
    Column("note", Text, nullable=False),
    Column("signed_at", UtcDateTime, nullable=False),
)

ledger_witnesses = Table(
    "ledger_witnesses",
    metadata,
    Column("name", String(120), primary_key=True),
    # The witness's verifier key: <name>+<key id>+<base64 of type byte and public key>.
    Column("verifier_key", Text, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("registered_by", String(120), nullable=False),
)

ledger_cosignatures = Table(
    "ledger_cosignatures",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(120), primary_key=True),
    # The signature line as it is served under the checkpoint.
    Column("signature_line", Text, nullable=False),
    Column("cosigned_at", UtcDateTime, nullable=False),
)

"""Version counters of the reference data clearance reads, one per kind.

Every store function that changes a kind raises its counter in the same transaction, and
records who changed what in the audit trail (and the ledger: ``adapters.audit_trail``); every
worker and process (API workers, ``clearway process``) reads the counters at the start of a
request or batch (at most once a second) and reloads the kinds whose counter moved. So a rate,
a rule, a list, a tariff, a control list or a model loaded through the API or the CLI reaches
the whole fleet within seconds, without a restart and without anyone reloading by hand.
"""

from __future__ import annotations

import enum

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clearway.adapters.audit_trail import record
from clearway.adapters.tables import reference_versions
from clearway.domain.events import utc_now


class Kind(enum.StrEnum):
    REFERENCE = "reference"
    """Code lists, the HS nomenclature and exchange rates."""
    TARIFF = "tariff"
    SELECTIVITY = "selectivity"
    """Rules, lists, value bands and lane targets."""
    SCREENING = "screening"
    """The sanctions and denied-party lists and the agency's dismissals."""
    CONTROL_LIST = "control_list"
    MODEL = "model"


def bump(
    connection: Connection,
    kind: Kind,
    change: str,
    subject: str | None = None,
    **detail: str | int | bool | None,
) -> None:
    """Record that ``kind`` changed (in the caller's transaction: the change, its counter and
    its audit record commit together): ``change`` names what happened (``rule.written``),
    ``subject`` what it happened to, ``detail`` the rest (never a secret)."""
    record(connection, change, kind.value, subject, detail)
    maker = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = maker(reference_versions).values(kind=kind.value, version=1, changed_at=utc_now())
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[reference_versions.c.kind],
            set_={
                "version": reference_versions.c.version + 1,
                "changed_at": statement.excluded.changed_at,
            },
        )
    )


def read_versions(connection: Connection) -> dict[Kind, int]:
    """Each kind's counter; a kind never changed reads 0."""
    found = dict(
        connection.execute(select(reference_versions.c.kind, reference_versions.c.version)).all()
    )
    return {kind: int(found.get(kind.value, 0)) for kind in Kind}

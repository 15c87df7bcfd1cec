"""Control-list versions in the database: the current one read back as a ``ControlList``, a new
one stored as the next version and made current, every earlier one kept as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from clearway.adapters.control_list_files import ControlListFiles, read_control_list_files
from clearway.adapters.control_list_tables import control_list_versions
from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.transaction import SqlAlchemyTransaction
from clearway.domain.errors import Conflict
from clearway.domain.export_control.control_list import ControlList, ControlListInvalid
from clearway.domain.export_control.control_list_document import (
    control_list_document,
    parse_control_list,
)
from clearway.services.control_list_admin import (
    AbstractControlListStore,
    ControlListVersion,
    StoredControlList,
)

# Who a version loaded by Clearway itself (the demo, the test databases) is loaded by.
CLEARWAY_LOADER = "clearway"
_SUMMARY_COLUMNS = [c for c in control_list_versions.c if c.name != "document"]


def read_control_list(connection: Connection) -> ControlList:
    """The list in force; an empty one before any was loaded."""
    stored = current_version(connection)
    return ControlList() if stored is None else stored.control_list


def current_version(connection: Connection) -> StoredControlList | None:
    row = connection.execute(
        select(control_list_versions)
        .where(control_list_versions.c.current)
        .order_by(control_list_versions.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    try:
        control_list = parse_control_list(row.document)
    except ControlListInvalid as error:
        # Stored versions were checked when loaded; one that no longer reads must be replaced,
        # not silently left out, or exports would go unchecked.
        raise RuntimeError(
            f"control list version {row.id} no longer reads ({error}); load a corrected "
            "version with `clearway control-list load`"
        ) from error
    return StoredControlList(_version(row), control_list)


def list_versions(connection: Connection) -> list[ControlListVersion]:
    query = select(*_SUMMARY_COLUMNS).order_by(control_list_versions.c.id.desc())
    return [_version(row) for row in connection.execute(query)]


def add_version(
    connection: Connection,
    control_list: ControlList,
    *,
    loaded_by: str,
    source: str,
    at: datetime,
) -> ControlListVersion:
    """Store ``control_list`` as the next version and make it the only current one."""
    if connection.dialect.name == "postgresql":
        # One loader at a time numbers a version (a row lock cannot stop an insert).
        connection.execute(text("LOCK TABLE control_list_versions IN SHARE ROW EXCLUSIVE MODE"))
    latest = connection.execute(select(func.max(control_list_versions.c.id))).scalar_one()
    version = ControlListVersion(
        id=(latest or 0) + 1,
        loaded_at=at,
        loaded_by=loaded_by,
        source=source,
        label=control_list.label,
        illustrative=control_list.illustrative,
        current=True,
    )
    connection.execute(
        update(control_list_versions).where(control_list_versions.c.current).values(current=False)
    )
    try:
        connection.execute(
            insert(control_list_versions).values(
                id=version.id,
                loaded_at=version.loaded_at,
                loaded_by=version.loaded_by,
                source=version.source,
                label=version.label,
                illustrative=version.illustrative,
                document=control_list_document(control_list),
                current=True,
            )
        )
    except IntegrityError as error:
        raise Conflict(f"control list version {version.id} was loaded meanwhile; retry") from error
    bump(
        connection,
        Kind.CONTROL_LIST,
        "control_list.loaded",
        str(version.id),
        label=version.label,
        source=version.source,
        illustrative=version.illustrative,
    )
    return version


def load_illustrative_control_list(engine: Engine) -> ControlListVersion:
    """The shipped illustrative list as a new version (for the demo and tests, not production)."""
    files = ControlListFiles.shipped()
    control_list = read_control_list_files(files)
    with engine.begin() as connection:
        return add_version(
            connection,
            control_list,
            loaded_by=CLEARWAY_LOADER,
            source=files.source,
            at=datetime.now(UTC),
        )


def _version(row: Row[Any]) -> ControlListVersion:
    return ControlListVersion(
        id=row.id,
        loaded_at=row.loaded_at,
        loaded_by=row.loaded_by,
        source=row.source,
        label=row.label,
        illustrative=row.illustrative,
        current=row.current,
    )


class SqlAlchemyControlListStore(SqlAlchemyTransaction, AbstractControlListStore):
    """The store over one SQL transaction per ``with store:`` block."""

    def current(self) -> StoredControlList | None:
        return current_version(self.connection)

    def versions(self) -> list[ControlListVersion]:
        return list_versions(self.connection)

    def add_version(
        self, control_list: ControlList, loaded_by: str, source: str, at: datetime
    ) -> ControlListVersion:
        return add_version(self.connection, control_list, loaded_by=loaded_by, source=source, at=at)

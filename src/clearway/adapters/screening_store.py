"""The sanctions lists and dismissals in the database, and the ``Screener`` built from them.

Loading a list adds a version and makes it current; the version it replaces stays, with its
entities, readable by id. Loading files identical to the current version's (same SHA-256)
adds nothing. The screener over the current versions is cached by their SHA-256s, so a
process re-reading unchanged lists (a dismissal changed, a second runtime on the same lists)
does not rebuild its index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.sanctions_files import ListFile
from clearway.adapters.screening_cache import keep, read_cached
from clearway.adapters.screening_tables import (
    screening_dismissals,
    screening_entities,
    screening_list_versions,
)
from clearway.domain.declaration import Party
from clearway.domain.errors import Conflict, NotFound
from clearway.domain.screening.entity import ListedEntity, ListSource, ListVersion
from clearway.domain.screening.match import Dismissal, party_key
from clearway.services.ports import AbstractDismissalStore
from clearway.services.screening.screener import Screener

_INSERT_BATCH = 2000
_CACHED_SCREENERS = 2


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    version: ListVersion
    unchanged: bool
    """True when the files equal the current version's, so no version was added."""


# --- list versions ------------------------------------------------------------------------------


def _version(row: Row[Any]) -> ListVersion:
    return ListVersion(
        id=row.id,
        source=ListSource(row.source),
        loaded_at=row.loaded_at,
        loaded_by=row.loaded_by,
        origin=row.origin,
        sha256=row.sha256,
        entity_count=row.entity_count,
        added=row.added,
        removed=row.removed,
        current=row.current,
    )


def list_versions(connection: Connection, source: ListSource | None = None) -> list[ListVersion]:
    """Every version loaded, newest first."""
    query = select(screening_list_versions).order_by(screening_list_versions.c.id.desc())
    if source is not None:
        query = query.where(screening_list_versions.c.source == source.value)
    return [_version(row) for row in connection.execute(query)]


def current_versions(connection: Connection) -> list[ListVersion]:
    query = (
        select(screening_list_versions)
        .where(screening_list_versions.c.current)
        .order_by(screening_list_versions.c.source)
    )
    return [_version(row) for row in connection.execute(query)]


def load_list(
    connection: Connection, list_file: ListFile, *, actor: str, at: datetime
) -> LoadOutcome:
    """Store ``list_file`` as the current version of its source, keeping the one before."""
    versions = screening_list_versions
    previous_row = connection.execute(
        select(versions)
        .where(versions.c.source == list_file.source.value, versions.c.current)
        .with_for_update()
    ).first()
    previous = None if previous_row is None else _version(previous_row)
    if previous is not None and previous.sha256 == list_file.sha256:
        return LoadOutcome(previous, unchanged=True)
    new_ids = {entity.entity_id for entity in list_file.entities}
    old_ids: set[str] = set()
    if previous is not None:
        old_ids = set(
            connection.execute(
                select(screening_entities.c.entity_id).where(
                    screening_entities.c.version_id == previous.id
                )
            ).scalars()
        )
        connection.execute(
            update(versions).where(versions.c.id == previous.id).values(current=False)
        )
    values = {
        "source": list_file.source.value,
        "loaded_at": at,
        "loaded_by": actor,
        "origin": list_file.origin,
        "sha256": list_file.sha256,
        "entity_count": len(list_file.entities),
        "added": len(new_ids - old_ids),
        "removed": len(old_ids - new_ids),
        "current": True,
    }
    version_id = connection.execute(
        insert(versions).values(**values).returning(versions.c.id)
    ).scalar_one()
    rows = [
        {"version_id": version_id, "entity_id": entity.entity_id, "document": entity.document()}
        for entity in list_file.entities
    ]
    for start in range(0, len(rows), _INSERT_BATCH):
        connection.execute(insert(screening_entities), rows[start : start + _INSERT_BATCH])
    bump(
        connection,
        Kind.SCREENING,
        "screening_list.loaded",
        list_file.source.value,
        entities=len(list_file.entities),
        added=len(new_ids - old_ids),
        removed=len(old_ids - new_ids),
        sha256=list_file.sha256,
    )
    version = ListVersion(
        id=version_id,
        source=list_file.source,
        loaded_at=at,
        loaded_by=actor,
        origin=list_file.origin,
        sha256=list_file.sha256,
        entity_count=len(list_file.entities),
        added=len(new_ids - old_ids),
        removed=len(old_ids - new_ids),
        current=True,
    )
    return LoadOutcome(version, unchanged=False)


def read_entities(connection: Connection, version_id: int) -> list[ListedEntity]:
    """The entities of one version, current or not."""
    exists = connection.execute(
        select(screening_list_versions.c.id).where(screening_list_versions.c.id == version_id)
    ).first()
    if exists is None:
        raise NotFound(f"no list version {version_id}")
    query = (
        select(screening_entities.c.document)
        .where(screening_entities.c.version_id == version_id)
        .order_by(screening_entities.c.entity_id)
    )
    return [
        ListedEntity.from_document(document) for document in connection.execute(query).scalars()
    ]


def current_entities(connection: Connection) -> list[ListedEntity]:
    """The entities of every source's current version."""
    entities = []
    for version in current_versions(connection):
        entities.extend(read_entities(connection, version.id))
    return entities


# --- dismissals ---------------------------------------------------------------------------------


def _dismissal(row: Row[Any]) -> Dismissal:
    return Dismissal(
        id=row.id,
        party_key=row.party_key,
        entity_id=row.entity_id,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        party_name=row.party_name,
    )


def list_dismissals(connection: Connection) -> list[Dismissal]:
    query = select(screening_dismissals).order_by(screening_dismissals.c.id)
    return [_dismissal(row) for row in connection.execute(query)]


def add_dismissal(
    connection: Connection,
    *,
    party_key: str,
    party_name: str,
    entity_id: str,
    reason: str,
    actor: str,
    at: datetime,
) -> Dismissal:
    """Record that ``entity_id`` is a false positive for the party behind ``party_key``."""
    try:
        with connection.begin_nested():
            dismissal_id = connection.execute(
                insert(screening_dismissals)
                .values(
                    party_key=party_key,
                    party_name=party_name,
                    entity_id=entity_id,
                    reason=reason,
                    decided_by=actor,
                    decided_at=at,
                )
                .returning(screening_dismissals.c.id)
            ).scalar_one()
    except IntegrityError as error:
        raise Conflict(f"{entity_id} is already dismissed for this party") from error
    bump(
        connection,
        Kind.SCREENING,
        "screening_dismissal.added",
        str(dismissal_id),
        entity_id=entity_id,
        party_name=party_name,
        reason=reason,
    )
    return Dismissal(dismissal_id, party_key, entity_id, reason, actor, at, party_name)


def remove_dismissal(connection: Connection, dismissal_id: int) -> None:
    removed = connection.execute(
        delete(screening_dismissals).where(screening_dismissals.c.id == dismissal_id)
    )
    if removed.rowcount == 0:
        raise NotFound(f"no dismissal {dismissal_id}")
    bump(connection, Kind.SCREENING, "screening_dismissal.removed", str(dismissal_id))


# --- the screener -------------------------------------------------------------------------------

_screeners: dict[tuple[str, ...], Screener] = {}
_screeners_lock = Lock()


def read_screener(connection: Connection, cache: Path | None = None) -> Screener:
    """A screener over the current lists with the stored dismissals (an empty one when no
    list is loaded); the index is reused while the current lists' SHA-256s are unchanged,
    in this process and, with a ``cache`` folder, by the next (``screening_cache``)."""
    versions = current_versions(connection)
    dismissals = list_dismissals(connection)
    if not versions:
        return Screener(dismissals=dismissals)
    key = tuple(f"{version.source.value}:{version.sha256}" for version in versions)
    with _screeners_lock:
        cached = _screeners.pop(key, None)
        if cached is not None:
            _screeners[key] = cached  # the most recently used is evicted last
    if cached is None and cache is not None:
        cached = read_cached(cache, key)
    if cached is None:
        cached = Screener(current_entities(connection))
        if cache is not None:
            keep(cache, key, cached)
        with _screeners_lock:
            if len(_screeners) >= _CACHED_SCREENERS:
                _screeners.pop(next(iter(_screeners)))
            _screeners[key] = cached
    return cached.with_dismissals(dismissals)


def seed_screener(key_versions: Iterable[tuple[ListSource, str]], screener: Screener) -> None:
    """Put an already built screener in the cache under its lists' (source, SHA-256)."""
    key = tuple(f"{source.value}:{sha}" for source, sha in sorted(key_versions))
    with _screeners_lock:
        _screeners[key] = screener


class SqlAlchemyDismissalStore(AbstractDismissalStore):
    """Dismissals written in the unit of work's transaction (a referral decision's)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, party: Party, entity_id: str, reason: str, actor: str, at: datetime) -> bool:
        try:
            add_dismissal(
                self._connection,
                party_key=party_key(party),
                party_name=party.name or party.id or "",
                entity_id=entity_id,
                reason=reason,
                actor=actor,
                at=at,
            )
        except Conflict:
            return False
        return True

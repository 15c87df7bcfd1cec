"""The drafts store in the database (``portal_drafts``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Row, delete, select, update

from clearway.adapters.draft_tables import portal_drafts
from clearway.services.drafts import AbstractDraftStore, Draft


def _draft(row: Row[Any]) -> Draft:
    return Draft(row.id, row.username, row.title, dict(row.document), row.updated_at)


class SqlAlchemyDraftStore(AbstractDraftStore):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def put(self, draft: Draft) -> None:
        values = {
            "username": draft.username,
            "title": draft.title,
            "document": draft.document,
            "updated_at": draft.updated_at,
        }
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(portal_drafts).where(portal_drafts.c.id == draft.id).values(**values)
            ).rowcount
            if not changed:
                connection.execute(portal_drafts.insert().values(id=draft.id, **values))

    def get(self, draft_id: str) -> Draft | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(portal_drafts).where(portal_drafts.c.id == draft_id)
            ).first()
        return None if row is None else _draft(row)

    def list_for(self, username: str, limit: int) -> list[Draft]:
        query = (
            select(portal_drafts)
            .where(portal_drafts.c.username == username)
            .order_by(portal_drafts.c.updated_at.desc(), portal_drafts.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as connection:
            return [_draft(row) for row in connection.execute(query)]

    def delete(self, draft_id: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(portal_drafts).where(portal_drafts.c.id == draft_id))

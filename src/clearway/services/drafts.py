"""Drafts of declarations kept on the server for the user who saved them.

A draft is the form as its user left it, valid or not; it is theirs alone: another user, even
of the same company, never sees it, loads it or deletes it (a draft may hold what was typed
for a client before it is ready to be shared).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clearway.domain.access import Action, Principal
from clearway.domain.errors import Forbidden, NotFound
from clearway.domain.identifiers import new_id

TITLE_LENGTH = 140
MAX_DRAFTS = 200


@dataclass(frozen=True, slots=True)
class Draft:
    id: str
    username: str
    title: str
    document: dict[str, Any]
    updated_at: datetime


class AbstractDraftStore(abc.ABC):
    @abc.abstractmethod
    def put(self, draft: Draft) -> None:
        """Insert the draft, or replace the one with its id."""

    @abc.abstractmethod
    def get(self, draft_id: str) -> Draft | None: ...

    @abc.abstractmethod
    def list_for(self, username: str, limit: int) -> list[Draft]:
        """The user's drafts, most recently saved first."""

    @abc.abstractmethod
    def delete(self, draft_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SaveDraft:
    """Save ``document`` as a new draft, or over the user's draft ``draft_id``."""

    actor: Principal
    title: str
    document: dict[str, Any]
    draft_id: str | None = None


def _check(actor: Principal) -> None:
    # Drafts are of declarations to lodge: whoever may not lodge has none.
    if not actor.may(Action.LODGE):
        raise Forbidden(f"the {actor.role.value} role may not lodge declarations")


def load_draft(store: AbstractDraftStore, actor: Principal, draft_id: str) -> Draft:
    """The user's own draft; another user's draft does not exist for them."""
    _check(actor)
    draft = store.get(draft_id)
    if draft is None or draft.username != actor.username:
        raise NotFound(f"no draft {draft_id} of yours")
    return draft


def save_draft(store: AbstractDraftStore, command: SaveDraft, now: datetime) -> Draft:
    _check(command.actor)
    draft_id = command.draft_id
    if draft_id is not None:
        load_draft(store, command.actor, draft_id)
    title = " ".join(command.title.split())[:TITLE_LENGTH] or "Untitled declaration"
    draft = Draft(draft_id or new_id(), command.actor.username, title, command.document, now)
    store.put(draft)
    return draft


def list_drafts(store: AbstractDraftStore, actor: Principal) -> list[Draft]:
    _check(actor)
    return store.list_for(actor.username, MAX_DRAFTS)


def delete_draft(store: AbstractDraftStore, actor: Principal, draft_id: str) -> None:
    load_draft(store, actor, draft_id)
    store.delete(draft_id)

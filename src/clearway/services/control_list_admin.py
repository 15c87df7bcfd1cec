"""What the export-control agency does to the control list: load a new version of it (entries,
correlation and destination measures together), and read the current one and the history.

A version is never edited: each load is a whole new version, made current, the previous one
kept as it was, so that what was in force on any day can be shown. Everything is checked before
anything is written, and a load is one transaction.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clearway.domain.access import Action, Principal
from clearway.domain.errors import ControlListRejected, Forbidden
from clearway.domain.export_control.control_list import ControlList, ControlListInvalid
from clearway.domain.export_control.control_list_document import parse_control_list
from clearway.domain.rules.base import Violation
from clearway.services.ports import AbstractTransaction


@dataclass(frozen=True, slots=True)
class ControlListVersion:
    """One stored version: who loaded it, when and from where, without its content."""

    id: int
    loaded_at: datetime
    loaded_by: str
    source: str
    label: str
    illustrative: bool
    current: bool


@dataclass(frozen=True, slots=True)
class StoredControlList:
    version: ControlListVersion
    control_list: ControlList


class AbstractControlListStore(AbstractTransaction):
    """Control-list storage; ``with store:`` is one transaction, committed on success."""

    @abc.abstractmethod
    def current(self) -> StoredControlList | None:
        """The version in force, or None before any was loaded."""

    @abc.abstractmethod
    def versions(self) -> list[ControlListVersion]:
        """Every version, newest first."""

    @abc.abstractmethod
    def add_version(
        self, control_list: ControlList, loaded_by: str, source: str, at: datetime
    ) -> ControlListVersion:
        """Store ``control_list`` as the next version and make it current."""


@dataclass(frozen=True, slots=True)
class LoadControlList:
    """Make ``control_list`` the list in force. ``at_console`` is the operator running the
    CLI on the server, who holds the database's credentials and so is trusted as the agency."""

    control_list: ControlList
    actor: Principal
    source: str
    at_console: bool = False


@dataclass(frozen=True, slots=True)
class PutControlList:
    """A whole new version as a document (``control_list_document``), sent through the API."""

    document: Mapping[str, Any]
    actor: Principal


def load_control_list(
    command: LoadControlList, store: AbstractControlListStore, now: datetime
) -> StoredControlList:
    """Store a checked list as the new current version. The export-control agency (the competent
    authority under Regulation (EU) 2021/821) owns the list, so only its role loads it."""
    actor = command.actor
    if not (command.at_console or actor.may(Action.MANAGE_EXPORT_CONTROL)):
        raise Forbidden(f"the {actor.role.value} role may not load the control list")
    with store:
        version = store.add_version(command.control_list, actor.username, command.source, now)
    return StoredControlList(version, command.control_list)


def put_control_list(
    command: PutControlList,
    store: AbstractControlListStore,
    now: datetime,
    countries: Collection[str],
) -> StoredControlList:
    """Check a document in full (every problem reported, with its pointer) and load it."""
    try:
        control_list = parse_control_list(command.document, countries=countries)
    except ControlListInvalid as error:
        raise rejection(error) from error
    return load_control_list(LoadControlList(control_list, command.actor, "api"), store, now)


def rejection(error: ControlListInvalid) -> ControlListRejected:
    return ControlListRejected(
        [Violation("CONTROL_LIST", pointer, message) for pointer, message in error.problems],
        str(error),
    )

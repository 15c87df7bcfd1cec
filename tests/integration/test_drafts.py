"""Server-side drafts on SQLite and PostgreSQL: each user sees, resumes and deletes only their
own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clearway.adapters.drafts import SqlAlchemyDraftStore
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal, Role
from clearway.domain.errors import Forbidden, NotFound
from clearway.services.drafts import SaveDraft, delete_draft, list_drafts, load_draft, save_draft
from tests.conftest import NOW

BROKER = Principal("broker", Role.TRADER, "GB123456789000")
COLLEAGUE = Principal("colleague", Role.TRADER, "GB123456789000")
OFFICER = Principal("officer", Role.OFFICER)


def test_a_draft_is_saved_listed_resumed_and_deleted_by_its_user(runtime: Runtime) -> None:
    store = SqlAlchemyDraftStore(runtime.engine)
    fields = {"lrn": "NWT-2026-DRAFT", "invoice.amount": "18400.00", "items.0.description": "é"}
    first = save_draft(store, SaveDraft(BROKER, "IM NWT-2026-DRAFT", fields), NOW)
    second = save_draft(store, SaveDraft(BROKER, "", {"lrn": ""}), NOW + timedelta(minutes=5))

    assert [d.title for d in list_drafts(store, BROKER)] == [
        "Untitled declaration",
        "IM NWT-2026-DRAFT",
    ]
    assert load_draft(store, BROKER, first.id).document == fields
    assert load_draft(store, BROKER, first.id).updated_at == NOW

    changed = {**fields, "invoice.amount": "19000.00"}
    later = NOW + timedelta(minutes=10)
    save_draft(store, SaveDraft(BROKER, "IM NWT-2026-DRAFT", changed, first.id), later)
    resumed = load_draft(store, BROKER, first.id)
    assert resumed.document["invoice.amount"] == "19000.00"
    assert resumed.updated_at == later
    assert [d.id for d in list_drafts(store, BROKER)] == [first.id, second.id]

    delete_draft(store, BROKER, second.id)
    assert [d.id for d in list_drafts(store, BROKER)] == [first.id]


def test_another_user_never_sees_loads_overwrites_or_deletes_a_draft(runtime: Runtime) -> None:
    store = SqlAlchemyDraftStore(runtime.engine)
    mine = save_draft(store, SaveDraft(BROKER, "mine", {"lrn": "A1"}), NOW)

    assert list_drafts(store, COLLEAGUE) == []
    with pytest.raises(NotFound):
        load_draft(store, COLLEAGUE, mine.id)
    with pytest.raises(NotFound):
        save_draft(store, SaveDraft(COLLEAGUE, "theirs", {"lrn": "B2"}, mine.id), NOW)
    with pytest.raises(NotFound):
        delete_draft(store, COLLEAGUE, mine.id)
    with pytest.raises(Forbidden):
        list_drafts(store, OFFICER)
    assert load_draft(store, BROKER, mine.id).document == {"lrn": "A1"}

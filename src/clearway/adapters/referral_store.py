"""Referrals to the agency in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from clearway.adapters.export_control_tables import referrals
from clearway.domain.export_control.referral import (
    OPEN_STATES,
    Referral,
    ReferralReason,
    ReferralState,
    finding_from_document,
)
from clearway.services.ports import AbstractReferralStore


class SqlAlchemyReferralStore(AbstractReferralStore):
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, referral: Referral) -> None:
        self._connection.execute(insert(referrals), _row(referral))

    def update(self, referral: Referral) -> None:
        self._connection.execute(
            update(referrals).where(referrals.c.id == referral.id).values(**_row(referral))
        )

    def get(self, referral_id: str, *, lock: bool) -> Referral | None:
        query = select(referrals).where(referrals.c.id == referral_id)
        if lock:
            query = query.with_for_update()
        row = self._connection.execute(query).first()
        return None if row is None else _referral(row)

    def for_declaration(self, declaration_id: str) -> list[Referral]:
        rows = self._connection.execute(
            select(referrals)
            .where(referrals.c.declaration_id == declaration_id)
            .order_by(referrals.c.created_at.desc(), referrals.c.id)
        )
        return [_referral(row) for row in rows]

    def queue(self, agency: str, states: Sequence[str], limit: int) -> list[Referral]:
        rows = self._connection.execute(
            select(referrals)
            .where(referrals.c.agency == agency, referrals.c.state.in_(list(states)))
            .order_by(referrals.c.deadline, referrals.c.created_at)
            .limit(limit)
        )
        return [_referral(row) for row in rows]

    def overdue(self, now: datetime) -> list[Referral]:
        rows = self._connection.execute(
            select(referrals)
            .where(
                referrals.c.state.in_([state.value for state in OPEN_STATES]),
                referrals.c.deadline < now,
            )
            .order_by(referrals.c.deadline)
        )
        return [_referral(row) for row in rows]


def _row(referral: Referral) -> dict[str, Any]:
    return {
        "id": referral.id,
        "declaration_id": referral.declaration_id,
        "declaration_version": referral.declaration_version,
        "supersedes": referral.supersedes,
        "agency": referral.agency,
        "reason": referral.reason.value,
        "findings": [finding.document() for finding in referral.findings],
        "state": referral.state.value,
        "deadline": referral.deadline,
        "created_at": referral.created_at,
        "information_request": referral.information_request,
        "reply": referral.reply,
        "decided_by": referral.decided_by,
        "decided_at": referral.decided_at,
        "note": referral.note,
    }


def _referral(row: Row[Any]) -> Referral:
    return Referral(
        id=row.id,
        declaration_id=row.declaration_id,
        declaration_version=row.declaration_version,
        supersedes=row.supersedes,
        agency=row.agency,
        reason=ReferralReason(row.reason),
        findings=[finding_from_document(document) for document in row.findings],
        deadline=row.deadline,
        created_at=row.created_at,
        state=ReferralState(row.state),
        information_request=row.information_request,
        reply=row.reply,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )

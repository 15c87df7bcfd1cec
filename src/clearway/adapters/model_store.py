"""Trained risk models in the ``risk_models`` table: every version kept, exactly one active.

Promoting a version makes it the active one and stamps ``activated_at``. The versions with an
``activated_at`` form the activation history, latest last: rolling back withdraws the active
version (its stamp is cleared) and re-activates the one promoted before it, so successive
rollbacks walk back through the promotions until none is left. Promotion and rollback lock the
table's rows (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writer lock does the same), so two
promotions at once still leave exactly one active model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select, text, update

from clearway.adapters.reference_versions import Kind, bump
from clearway.adapters.risk_model import RiskModel
from clearway.adapters.risk_tables import risk_models
from clearway.domain.errors import Conflict, NotFound

_SUMMARY_COLUMNS = [column for column in risk_models.c if column.name != "booster"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A stored version without its booster: what it was trained on and how well it did."""

    version: int
    created_at: datetime
    created_by: str
    source: str
    features: list[str]
    settings: dict[str, Any]
    metrics: dict[str, Any]
    training_rows: int
    baseline: dict[str, Any]
    active: bool
    activated_at: datetime | None

    def document(self, *, baseline: bool = False) -> dict[str, Any]:
        """As JSON; the baseline (deciles of every feature) only when asked for."""
        found: dict[str, Any] = {
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "source": self.source,
            "features": len(self.features),
            "settings": self.settings,
            "metrics": self.metrics,
            "training_rows": self.training_rows,
            "active": self.active,
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }
        if baseline:
            found["feature_names"] = self.features
            found["baseline"] = self.baseline
        return found


@dataclass(frozen=True, slots=True)
class StoredModel:
    info: ModelInfo
    model: RiskModel

    @property
    def version(self) -> int:
        return self.info.version


def _info(row: Any) -> ModelInfo:
    return ModelInfo(
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        source=row.source,
        features=list(row.features),
        settings=dict(row.settings),
        metrics=dict(row.metrics),
        training_rows=row.training_rows,
        baseline=dict(row.baseline),
        active=bool(row.active),
        activated_at=row.activated_at,
    )


def _stored(row: Any) -> StoredModel:
    info = _info(row)
    return StoredModel(info, RiskModel.from_text(row.booster, info.features))


def _lock_rows(connection: Connection) -> None:
    """Lock every version's row until the transaction ends, so that activations take turns
    and each sees the one before it (PostgreSQL; SQLite's writer lock already does this)."""
    if connection.dialect.name == "postgresql":
        connection.execute(select(risk_models.c.version).with_for_update()).all()


def _lock_table(connection: Connection) -> None:
    """Let one writer at a time number a new version (a row lock cannot stop an insert)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE risk_models IN SHARE ROW EXCLUSIVE MODE"))


def save_model(
    connection: Connection,
    model: RiskModel,
    *,
    created_by: str,
    source: str,
    settings: Mapping[str, Any],
    metrics: Mapping[str, Any],
    training_rows: int,
    baseline: Mapping[str, Any],
    now: datetime | None = None,
) -> int:
    """Store ``model`` as the next version (not active) and return that version."""
    _lock_table(connection)
    latest = connection.execute(select(func.max(risk_models.c.version))).scalar_one()
    version = (latest or 0) + 1
    connection.execute(
        risk_models.insert().values(
            version=version,
            created_at=now or datetime.now(UTC),
            created_by=created_by,
            source=source,
            features=list(model.names),
            settings=dict(settings),
            metrics=dict(metrics),
            training_rows=training_rows,
            baseline=dict(baseline),
            booster=model.to_text(),
            active=False,
            activated_at=None,
        )
    )
    return version


def list_models(connection: Connection) -> list[ModelInfo]:
    """Every stored version, newest first, without boosters."""
    rows = connection.execute(select(*_SUMMARY_COLUMNS).order_by(risk_models.c.version.desc()))
    return [_info(row) for row in rows]


def model_info(connection: Connection, version: int) -> ModelInfo:
    row = connection.execute(
        select(*_SUMMARY_COLUMNS).where(risk_models.c.version == version)
    ).first()
    if row is None:
        raise NotFound(f"there is no risk model version {version}")
    return _info(row)


def load_model(connection: Connection, version: int) -> StoredModel:
    row = connection.execute(select(risk_models).where(risk_models.c.version == version)).first()
    if row is None:
        raise NotFound(f"there is no risk model version {version}")
    return _stored(row)


def active_model(connection: Connection) -> StoredModel | None:
    """The version scoring declarations now, or None before any was promoted."""
    row = connection.execute(select(risk_models).where(risk_models.c.active)).first()
    return None if row is None else _stored(row)


def active_version(connection: Connection) -> int | None:
    """The active version's number, without loading its booster."""
    found: int | None = connection.execute(
        select(risk_models.c.version).where(risk_models.c.active)
    ).scalar_one_or_none()
    return found


def _stamp(connection: Connection, now: datetime | None) -> datetime:
    """Now, but strictly after every earlier activation, so the history has one order."""
    stamp = now or datetime.now(UTC)
    latest = connection.execute(select(func.max(risk_models.c.activated_at))).scalar_one()
    if latest is not None and stamp <= latest:
        stamp = latest + timedelta(microseconds=1)
    return stamp


def activate(connection: Connection, version: int, *, now: datetime | None = None) -> ModelInfo:
    """Make ``version`` the one active model; promoting the active version changes nothing."""
    _lock_rows(connection)
    current = model_info(connection, version)
    if current.active:
        return current
    stamp = _stamp(connection, now)
    connection.execute(update(risk_models).where(risk_models.c.active).values(active=False))
    connection.execute(
        update(risk_models)
        .where(risk_models.c.version == version)
        .values(active=True, activated_at=stamp)
    )
    bump(connection, Kind.MODEL, "model.promoted", str(version))
    return model_info(connection, version)


def rollback(connection: Connection) -> ModelInfo:
    """Withdraw the active version and re-activate the one promoted before it."""
    _lock_rows(connection)
    history = connection.execute(
        select(risk_models.c.version, risk_models.c.active)
        .where(risk_models.c.activated_at.is_not(None))
        .order_by(risk_models.c.activated_at.desc(), risk_models.c.version.desc())
    ).all()
    active = [row.version for row in history if row.active]
    if not active:
        raise Conflict("no risk model is active, so there is nothing to roll back")
    earlier = [row.version for row in history if not row.active]
    if not earlier:
        raise Conflict(
            f"version {active[0]} is the earliest promotion left: there is no model to roll back to"
        )
    connection.execute(
        update(risk_models)
        .where(risk_models.c.version == active[0])
        .values(active=False, activated_at=None)
    )
    connection.execute(
        update(risk_models).where(risk_models.c.version == earlier[0]).values(active=True)
    )
    bump(connection, Kind.MODEL, "model.rolled_back", str(active[0]), now_active=earlier[0])
    return model_info(connection, earlier[0])

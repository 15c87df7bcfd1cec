"""The risk stage's tables: selectivity rules (every version kept), named lists, value-control
bands, lane targets, trained models, the decision taken on each declaration, the officers'
work queue and their findings."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, Money, UtcDateTime

selectivity_rules = Table(
    "selectivity_rules",
    metadata,
    Column("rule_id", String(40), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("expression", Text, nullable=False),
    Column("lane", String(8), nullable=False),
    Column("owner", String(120), nullable=False),
    Column("reason", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("applies_to_aeo", Boolean, nullable=False, default=True),
    # Only the newest version of a rule is current; older ones are kept as they were.
    Column("current", Boolean, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_selectivity_rules_current", selectivity_rules.c.current)

risk_lists = Table(
    "risk_lists",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("description", Text, nullable=False, default=""),
    Column("codes", Document, nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

value_controls = Table(
    "value_controls",
    metadata,
    Column("commodity_prefix", String(10), primary_key=True),
    Column("unit", String(8), primary_key=True),
    Column("min_unit_value", Money),
    Column("max_unit_value", Money),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

lane_targets = Table(
    "lane_targets",
    metadata,
    Column("lane", String(8), primary_key=True),
    Column("expected_rate", Float, nullable=False),
    Column("random_rate", Float, nullable=False),
    Column("aeo_expected_rate", Float, nullable=False),
    Column("aeo_random_rate", Float, nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

risk_models = Table(
    "risk_models",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("source", Text, nullable=False),
    Column("features", Document, nullable=False),
    Column("settings", Document, nullable=False),
    Column("metrics", Document, nullable=False),
    Column("training_rows", Integer, nullable=False),
    Column("baseline", Document, nullable=False),
    Column("booster", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("activated_at", UtcDateTime),
)

risk_decisions = Table(
    "risk_decisions",
    metadata,
    Column("declaration_id", String(36), ForeignKey("declarations.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("decided_at", UtcDateTime, nullable=False),
    Column("score", Float),
    Column("model_version", Integer),
    Column("lane", String(8), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("aeo", Boolean, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("reasons", Document, nullable=False),
    Column("rule_hits", Document, nullable=False),
    # The facts the criteria saw and the model's inputs, kept to replay rules and retrain.
    Column("facts", Document, nullable=False),
    Column("observations", Document, nullable=False),
    # The tariff's prohibitions and restrictions the version does not meet.
    Column("requirements", Document),
)
Index("ix_risk_decisions_decided_at", risk_decisions.c.decided_at)

work_items = Table(
    "work_items",
    metadata,
    Column("declaration_id", String(36), ForeignKey("declarations.id"), primary_key=True),
    Column("lane", String(8), nullable=False),
    Column("state", String(12), nullable=False),
    Column("score", Float),
    Column("office", String(8), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("claimed_by", String(120)),
    Column("claimed_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
)
Index("ix_work_items_state_lane", work_items.c.state, work_items.c.lane)

findings = Table(
    "findings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("declaration_id", String(36), ForeignKey("declarations.id"), nullable=False),
    Column("fraud", Boolean, nullable=False),
    Column("revenue_recovered", Money, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("recorded_by", String(120), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)
Index("ix_findings_declaration", findings.c.declaration_id)

# What the risk model's history knows of each key value (a trader, a commodity, a pair …),
# shared by every worker and process: read for the keys of a batch, added to in its
# transaction. The row with the empty key holds the administration-wide inspection counts.
risk_history = Table(
    "risk_history",
    metadata,
    Column("key", Text, primary_key=True),
    Column("seen", Integer, nullable=False),
    Column("inspected", Integer, nullable=False),
    Column("fraud", Integer, nullable=False),
    Column("price_n", Integer, nullable=False),
    Column("price_sum", Float, nullable=False),
    Column("price_sumsq", Float, nullable=False),
    Column("first_day", Integer, nullable=False),
)

# The lane selector's window, shared by every worker: each lane decision in the order it
# committed (inserted after the outbox lock, so sequence order is commit order); a process
# reads the ones it has not seen at the start of each batch. Only the newest are kept.
lane_outcomes = Table(
    "lane_outcomes",
    metadata,
    Column(
        "sequence",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("writer", String(36), nullable=False),
    Column("score", Float, nullable=False),
    Column("lane", String(8), nullable=False),
    Column("basis", String(16), nullable=False),
    Column("aeo", Boolean, nullable=False),
)

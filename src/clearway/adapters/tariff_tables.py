"""The tariff's tables, TARIC-shaped: nomenclature, geography, measures with their components
and conditions, quota definitions with balances, and the assessments made from them.

Each jurisdiction (``GB``, ``XI`` …) holds its own tariff; ``source`` says which file a row
came from, so reloading one source replaces only its rows.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from clearway.adapters.tables import metadata
from clearway.adapters.types import Document, Money, UtcDateTime


def _component_columns() -> list[Column[object]]:
    """A duty expression component, as measures and their conditions both hold it."""
    return [
        Column("sequence", Integer, primary_key=True),
        Column("duty_expression", String(2), nullable=False),
        Column("amount", Money, nullable=False),
        Column("currency", String(3)),
        Column("unit", String(3)),
        Column("qualifier", String(1)),
    ]


goods_nomenclature = Table(
    "goods_nomenclature",
    metadata,
    Column("jurisdiction", String(4), primary_key=True),
    Column("code", String(10), primary_key=True),
    Column("suffix", String(2), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("indent", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("valid_from", Date),
    Column("valid_to", Date),
)

geographical_areas = Table(
    "geographical_areas",
    metadata,
    Column("area", String(4), primary_key=True),
    Column("kind", String(8), nullable=False),  # country, region or group
    Column("description", Text, nullable=False),
)

geographical_area_members = Table(
    "geographical_area_members",
    metadata,
    Column("area", String(4), primary_key=True),
    Column("member", String(4), primary_key=True),
)

measures = Table(
    "measures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(4), nullable=False),
    Column("source", String(64), nullable=False),
    Column("sid", String(80), nullable=False),
    Column("measure_type", String(6), nullable=False),
    Column("series", String(1), nullable=False),
    Column("type_description", Text, nullable=False),
    Column("commodity_code", String(10), nullable=False),
    Column("area", String(4), nullable=False),
    Column("additional_code", String(4)),
    Column("additional_code_description", Text),
    Column("order_number", String(6)),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date),
    Column("footnotes", Document, nullable=False),
    Index("ix_measures_lookup", "jurisdiction", "commodity_code"),
    Index("ix_measures_source", "jurisdiction", "source"),
)

measure_excluded_areas = Table(
    "measure_excluded_areas",
    metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    Column("area", String(4), primary_key=True),
)

measure_components = Table(
    "measure_components",
    metadata,
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True),
    *_component_columns(),
)

measure_conditions = Table(
    "measure_conditions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", ForeignKey("measures.id", ondelete="CASCADE"), nullable=False),
    Column("condition_code", String(2), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("action", String(2), nullable=False),
    Column("document", String(4)),
    Column("requirement", Text),
    Column("threshold", Money),
    Column("threshold_currency", String(3)),
    Column("threshold_unit", String(3)),
    Column("threshold_qualifier", String(1)),
    Index("ix_measure_conditions_measure", "measure_id"),
)

measure_condition_components = Table(
    "measure_condition_components",
    metadata,
    Column(
        "condition_id", ForeignKey("measure_conditions.id", ondelete="CASCADE"), primary_key=True
    ),
    *_component_columns(),
)

quota_definitions = Table(
    "quota_definitions",
    metadata,
    Column("jurisdiction", String(4), primary_key=True),
    Column("order_number", String(6), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date, nullable=False),
    Column("description", Text, nullable=False),
    Column("initial_volume", Money, nullable=False),
    Column("balance", Money, nullable=False),
    Column("unit", String(3)),
    Column("qualifier", String(1)),
    Column("source", String(64), nullable=False),
)

quota_drawings = Table(
    "quota_drawings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(4), nullable=False),
    Column("order_number", String(6), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("declaration_id", String(36), ForeignKey("declarations.id"), nullable=False),
    Column("item_sequence", Integer, nullable=False),
    Column("amount", Money, nullable=False),
    Column("drawn_at", UtcDateTime, nullable=False),
    Index("ix_quota_drawings_declaration", "declaration_id"),
)

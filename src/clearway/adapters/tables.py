"""The relational schema, as SQLAlchemy Core tables (the hot path works without the ORM).

``declarations`` holds the current state of each declaration; ``declaration_versions`` every
version as lodged; ``declaration_items`` and ``declaration_parties`` the searchable parts;
``events`` is the transactional outbox, whose ``sequence`` only grows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from clearway.adapters.types import Document, Money, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

declarations = Table(
    "declarations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("type", String(2), nullable=False),
    Column("lrn", String(35), nullable=False),
    Column("declarant_id", String(17), nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("mrn", String(18), unique=True),
    Column("procedure", String(4), nullable=False),
    Column("office", String(8), nullable=False),
    Column("destination_country", String(2)),
    Column("dispatch_country", String(2)),
    Column("invoice_currency", String(3)),
    Column("invoice_amount", Money),
    Column("customs_value", Money),
    Column("item_count", Integer, nullable=False),
    Column("payload_hash", String(64), nullable=False),
    Column("lodged_by", String(64), nullable=False),
    Column("lodged_at", UtcDateTime, nullable=False),
    Column("accepted_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("declarant_id", "lrn", name="uq_declarations_declarant_lrn"),
    Index("ix_declarations_lodged", "lodged_at", "id"),
    Index("ix_declarations_status", "status"),
)

declaration_versions = Table(
    "declaration_versions",
    metadata,
    Column("declaration_id", ForeignKey("declarations.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("payload", Document, nullable=False),
    Column("valuation", Document),
    Column("assessment", Document),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

declaration_items = Table(
    "declaration_items",
    metadata,
    Column("declaration_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("sequence", Integer, primary_key=True),
    Column("commodity_code", String(10), index=True),
    Column("origin_country", String(2)),
    Column("preference", String(3)),
    Column("net_mass_kg", Money),
    Column("invoice_amount", Money),
    Column("customs_value", Money),
    ForeignKeyConstraint(
        ["declaration_id", "version"],
        ["declaration_versions.declaration_id", "declaration_versions.version"],
        name="fk_declaration_items_version",
    ),
)

declaration_parties = Table(
    "declaration_parties",
    metadata,
    Column("declaration_id", ForeignKey("declarations.id"), primary_key=True),
    Column("role", String(16), primary_key=True),
    Column("company_id", String(17), index=True),
    Column("name", String(140)),
    Column("country", String(2)),
)

# The message a version came in, as received (WCO DEC-DMS XML, UN/EDIFACT CUSDEC).
declaration_messages = Table(
    "declaration_messages",
    metadata,
    Column("declaration_id", ForeignKey("declarations.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("format", String(16), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)

# Every notification sent for a declaration (DMS notifications, CUSRES), to be read again.
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("declaration_id", ForeignKey("declarations.id")),
    Column("declarant_id", String(17), nullable=False),
    Column("lrn", String(35), nullable=False),
    Column("version", Integer),
    Column("kind", String(8), nullable=False),
    Column("format", String(16), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Index("ix_notifications_declaration", "declaration_id", "id"),
)

events = Table(
    "events",
    metadata,
    Column(
        "sequence",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("id", String(36), nullable=False, unique=True),
    Column("type", String(48), nullable=False),
    Column("declaration_id", String(36)),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("data", Document, nullable=False),
    Column("licence_id", String(64)),
    Index("ix_events_declaration", "declaration_id", "sequence"),
    Index("ix_events_licence", "licence_id", "sequence"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("company_id", String(17)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UtcDateTime, nullable=False),
    # Raised by every change that must end the sessions, tokens and keys issued before it
    # (disabling, a role or company change, a password reset); tokens and keys carry it.
    Column("token_version", Integer, nullable=False, default=1, server_default="1"),
    # Consecutive wrong passwords, and until when the account refuses sign-in because of them.
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", UtcDateTime),
    Column("updated_at", UtcDateTime),
    # Tokens name the account by this id: SQLite must never reuse a deleted account's.
    sqlite_autoincrement=True,
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    # The role the key acts with: its owner's or one whose permissions are a subset of it.
    Column("role", String(16)),
    Column("expires_at", UtcDateTime),
    # The owner's token version when the key was made: a later account change ends the key.
    Column("token_version", Integer, nullable=False, default=1, server_default="1"),
    Column("created_by", String(64)),
)

code_lists = Table(
    "code_lists",
    metadata,
    Column("list", String(24), primary_key=True),
    Column("code", String(16), primary_key=True),
    Column("description", Text, nullable=False),
    Column("attributes", Document, nullable=False),
)

hs_nomenclature = Table(
    "hs_nomenclature",
    metadata,
    Column("code", String(6), primary_key=True),
    Column("level", Integer, nullable=False),
    Column("parent", String(6)),
    Column("section", String(5), nullable=False),
    Column("description", Text, nullable=False),
)

exchange_rates = Table(
    "exchange_rates",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("valid_to", Date),
    Column("rate", Money, nullable=False),
    Column("loaded_at", UtcDateTime, nullable=False),
)

# One counter per kind of reference data (rates, tariff, selectivity, screening, control
# list, model), raised in the transaction that changes it: every worker and process compares
# the counters with those it has loaded and reloads what changed.
reference_versions = Table(
    "reference_versions",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# The tariff and risk tables share this metadata; importing them here keeps one schema for
# migrations.
from clearway.adapters import audit_tables as _audit_tables  # noqa: E402, F401
from clearway.adapters import control_list_tables as _control_list_tables  # noqa: E402, F401
from clearway.adapters import draft_tables as _draft_tables  # noqa: E402, F401
from clearway.adapters import export_control_tables as _export_control_tables  # noqa: E402, F401
from clearway.adapters import ledger_tables as _ledger_tables  # noqa: E402, F401
from clearway.adapters import publishing_tables as _publishing_tables  # noqa: E402, F401
from clearway.adapters import risk_tables as _risk_tables  # noqa: E402, F401
from clearway.adapters import screening_tables as _screening_tables  # noqa: E402, F401
from clearway.adapters import tariff_tables as _tariff_tables  # noqa: E402, F401

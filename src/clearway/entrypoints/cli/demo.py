"""Seeding the demo: one user per role and a few hundred generated declarations."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from clearway.adapters.tariff_store import load_illustrative_tariff, store_records
from clearway.adapters.uk_tariff_files import read_uk_directory
from clearway.bootstrap import Runtime
from clearway.domain.access import Principal, Role
from clearway.entrypoints.schemas import parse_declaration
from clearway.services.lodging import Lodged, LodgeDeclaration, lodge_declarations
from clearway.services.simulation import simulate


@dataclass(frozen=True)
class DemoUser:
    role: str
    username: str
    password: str
    company: str | None


def seed_demo(runtime: Runtime, count: int, seed: int = 2026) -> tuple[list[DemoUser], int]:
    load_illustrative_tariff(runtime.engine, runtime.settings.country)
    uk_records = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "uk-tariff"
    if uk_records.is_dir():
        # The real UK records (2021) for quotes on past dates, when they sit beside the project.
        for records in read_uk_directory(uk_records):
            store_records(runtime.engine, records)
    runtime.refresh_tariff()
    payloads = list(simulate(count, seed, reference=runtime.context.reference))
    declarants = Counter(payload["declarant"]["id"] for payload in payloads)
    trader_company = declarants.most_common(1)[0][0] if declarants else "GB123456789000"
    accounts = [
        (role.value, role, trader_company if role is Role.TRADER else None) for role in Role
    ]
    # The declarants of the published example declarations, so that they can be lodged as is.
    accounts += [
        ("broker", Role.TRADER, "GB123456789000"),
        ("exporter", Role.TRADER, "GB555000111000"),
    ]
    credentials = []
    for username, role, company in accounts:
        password = secrets.token_urlsafe(9)
        runtime.users.create(username, password, role, company)
        credentials.append(DemoUser(role.value, username, password, company))
    actor = Principal("demo-seed", Role.ADMIN)
    commands = []
    for payload in payloads:
        parsed = parse_declaration(payload)
        commands.append(LodgeDeclaration(parsed.declaration, parsed.document, actor))
    outcomes = lodge_declarations(commands, runtime.uow(), runtime.context)
    return credentials, sum(isinstance(outcome, Lodged) for outcome in outcomes)

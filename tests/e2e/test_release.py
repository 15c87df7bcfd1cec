"""Release draws tariff quotas down, first come first served, under a row lock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from clearway.adapters.tariff_tables import quota_definitions, quota_drawings
from clearway.bootstrap import Runtime
from tests.conftest import example

# The illustrative schedule: tomatoes from Morocco pay 8% third-country duty, nothing under the
# UK-Morocco preference, nothing under quota 051104 (2,000,000 kg for 2026).
QUOTA = "051104"


def _quota_claim() -> dict[str, Any]:
    payload = example("import")
    payload["items"][0]["preference"] = "320"  # preferential tariff under a tariff quota
    return payload


def quota_balance(runtime: Runtime) -> Decimal:
    with runtime.engine.connect() as connection:
        return Decimal(
            connection.execute(
                select(quota_definitions.c.balance).where(
                    quota_definitions.c.order_number == QUOTA,
                    quota_definitions.c.valid_from == date(2026, 1, 1),
                )
            ).scalar_one()
        )


def _set_balance(runtime: Runtime, balance: Decimal) -> None:
    with runtime.engine.begin() as connection:
        connection.execute(
            update(quota_definitions)
            .where(
                quota_definitions.c.order_number == QUOTA,
                quota_definitions.c.valid_from == date(2026, 1, 1),
            )
            .values(balance=balance)
        )


def test_release_draws_the_quota_down_by_the_net_mass(
    api: Any, lodge: Any, runtime: Runtime
) -> None:
    before = quota_balance(runtime)
    lodged = lodge(_quota_claim()).json()
    item = lodged["assessment"]["items"][0]
    assert item["applied"]["type"] == "quota"
    assert item["applied"]["order_number"] == QUOTA
    assert item["quota_draw"] == {"order_number": QUOTA, "amount": "16000", "unit": "KGM"}
    # Were the quota gone, the preference (also free) would apply; never the 8% duty.
    assert item["fallback"]["type"] == "preference"

    refused = api.post(f"/api/v1/declarations/{lodged['id']}/release", headers=api.as_("broker"))
    assert refused.status_code == 403

    released = api.post(f"/api/v1/declarations/{lodged['id']}/release", headers=api.as_("officer"))
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "released"
    assert quota_balance(runtime) == before - 16000
    with runtime.engine.connect() as connection:
        drawings = connection.execute(select(quota_drawings)).all()
    assert [(d.order_number, d.amount, d.item_sequence) for d in drawings] == [
        (QUOTA, Decimal(16000), 1)
    ]
    again = api.post(f"/api/v1/declarations/{lodged['id']}/release", headers=api.as_("officer"))
    assert again.status_code == 409
    assert quota_balance(runtime) == before - 16000


def test_quota_exhausted_by_release_falls_back_to_the_next_option(
    api: Any, lodge: Any, runtime: Runtime
) -> None:
    before = quota_balance(runtime)
    try:
        lodged = lodge(_quota_claim()).json()
        assert lodged["assessment"]["items"][0]["applied"]["type"] == "quota"
        _set_balance(runtime, Decimal(15999))  # another release took all but 15,999 kg
        released = api.post(
            f"/api/v1/declarations/{lodged['id']}/release", headers=api.as_("officer")
        ).json()
        item = released["assessment"]["items"][0]
        assert item["applied"]["type"] == "preference"
        assert item["quota_draw"] is None
        assert "051104 is exhausted" in item["reason"]
        assert quota_balance(runtime) == Decimal(15999)  # nothing taken
        history = api.get(
            f"/api/v1/declarations/{lodged['id']}/history", headers=api.as_("officer")
        ).json()
        assert history[-1]["event"] == "DeclarationReleased"
        assert history[-1]["data"]["quota_fallbacks"] == [{"sequence": 1, "order_number": QUOTA}]
    finally:
        _set_balance(runtime, before)

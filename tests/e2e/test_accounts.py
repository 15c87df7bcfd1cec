"""Accounts as an administration runs them: users and keys through the API, tokens that end
with the account's changes, keys that expire and act with their owner's role or less."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from clearway.adapters.tables import api_keys, users
from clearway.domain.events import utc_now
from tests.conftest import PASSWORD, example, invoke_cli

USERS = "/api/v1/users"
KEYS = "/api/v1/auth/api-keys"
DECLARATIONS = "/api/v1/declarations"


def token_of(api: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def me(api: Any, headers: dict[str, str]) -> Any:
    return api.get("/api/v1/auth/me", headers=headers)


def create(api: Any, **fields: Any) -> Any:
    return api.post(USERS, json=fields, headers=api.as_("admin"))


def test_administrator_creates_lists_and_reads_accounts(api: Any) -> None:
    created = create(
        api, username="ana", password="a long password", role="trader", company_id="GB1"
    )
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == f"{USERS}/ana"
    assert created.json()["role"] == "trader" and created.json()["active"] is True
    listed = api.get(USERS, headers=api.as_("admin")).json()
    assert [user["username"] for user in listed] == ["admin", "ana"]
    assert "password" not in str(listed) and "hash" not in str(listed)
    assert me(api, token_of(api, "ana", "a long password")).json()["company_id"] == "GB1"


def test_account_problems_are_422_with_every_field_and_a_taken_name_409(api: Any) -> None:
    refused = create(api, username="bad name!", password="short", role="trader")
    assert refused.status_code == 422
    pointers = {error["pointer"] for error in refused.json()["errors"]}
    assert pointers == {"/username", "/password", "/company_id"}
    assert create(api, username="ana", password="long enough", role="officer").status_code == 201
    taken = create(api, username="ana", password="long enough", role="officer")
    assert taken.status_code == 409
    # The operator's own role is not an account's.
    assert create(api, username="x", password="long enough", role="system").status_code == 422


def test_only_administrators_manage_users(api: Any) -> None:
    for username in ("broker", "officer", "auditor", "analyst"):
        assert api.get(USERS, headers=api.as_(username)).status_code == 403, username
        refused = api.post(
            USERS,
            json={"username": "x", "password": "long enough", "role": "admin"},
            headers=api.as_(username),
        )
        assert refused.status_code == 403


def test_disabling_ends_every_token_and_key_at_once_and_enabling_keeps_them_ended(
    api: Any,
) -> None:
    api.as_("broker")
    token = token_of(api, "broker")
    key = api.post(KEYS, data={"name": "erp"}, headers=token).json()["api_key"]
    assert me(api, token).status_code == me(api, {"X-API-Key": key}).status_code == 200
    disabled = api.post(f"{USERS}/broker/disable", headers=api.as_("admin"))
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert me(api, token).status_code == 401
    assert me(api, {"X-API-Key": key}).status_code == 401
    refused = api.post("/api/v1/auth/token", data={"username": "broker", "password": PASSWORD})
    assert refused.status_code == 401
    assert api.post(f"{USERS}/broker/enable", headers=api.as_("admin")).status_code == 200
    # Back in, with a new token; what was issued before stays ended.
    assert me(api, token).status_code == 401
    assert me(api, {"X-API-Key": key}).status_code == 401
    assert me(api, token_of(api, "broker")).status_code == 200


def test_a_role_change_ends_earlier_tokens_so_they_never_act_with_the_new_role(api: Any) -> None:
    api.as_("officer")
    token = token_of(api, "officer")
    changed = api.patch(f"{USERS}/officer", json={"role": "auditor"}, headers=api.as_("admin"))
    assert changed.status_code == 200 and changed.json()["role"] == "auditor"
    ended = me(api, token)
    assert ended.status_code == 401
    assert "role" in ended.json()["detail"]
    assert me(api, token_of(api, "officer")).json()["role"] == "auditor"


def test_a_user_recreated_under_the_same_name_does_not_inherit_old_tokens(
    api: Any, runtime: Any
) -> None:
    api.as_("broker")
    token = token_of(api, "broker")
    with runtime.engine.begin() as connection:
        connection.execute(users.delete().where(users.c.username == "broker"))
    runtime.users.create("broker", "another password", role_of("admin"))
    assert me(api, token).status_code == 401


def role_of(name: str) -> Any:
    from clearway.domain.access import Role

    return Role(name)


def test_password_reset_and_own_change_end_earlier_tokens(api: Any) -> None:
    api.as_("broker")
    before = token_of(api, "broker")
    reset = api.post(
        f"{USERS}/broker/password", json={"password": "reset by admin"}, headers=api.as_("admin")
    )
    assert reset.status_code == 200
    assert me(api, before).status_code == 401
    fresh = token_of(api, "broker", "reset by admin")
    wrong = api.post(
        "/api/v1/auth/password",
        data={"current_password": "not it", "new_password": "mine at last"},
        headers=fresh,
    )
    assert wrong.status_code == 403
    changed = api.post(
        "/api/v1/auth/password",
        data={"current_password": "reset by admin", "new_password": "mine at last"},
        headers=fresh,
    )
    assert changed.status_code == 204
    assert me(api, fresh).status_code == 401
    assert me(api, token_of(api, "broker", "mine at last")).status_code == 200


def test_the_last_administrator_cannot_be_disabled_or_demoted(api: Any) -> None:
    admin = api.as_("admin")
    assert api.post(f"{USERS}/admin/disable", headers=admin).status_code == 409
    assert api.patch(f"{USERS}/admin", json={"role": "auditor"}, headers=admin).status_code == 409
    create(api, username="second", password="long enough", role="admin")
    assert api.post(f"{USERS}/admin/disable", headers=admin).status_code == 200


def test_api_keys_expire_in_90_days_by_default_and_at_most_a_year(api: Any) -> None:
    token = token_of_fresh(api, "broker")
    created = api.post(KEYS, data={"name": "erp"}, headers=token)
    assert created.status_code == 201
    body = created.json()
    assert body["role"] == "trader" and body["state"] == "active"
    lifetime = parse(body["expires_at"]) - parse(body["created_at"])
    assert lifetime == timedelta(days=90)
    week = api.post(KEYS, data={"name": "test", "expires_in_days": "7"}, headers=token).json()
    assert parse(week["expires_at"]) - parse(week["created_at"]) == timedelta(days=7)
    too_long = api.post(KEYS, data={"name": "x", "expires_in_days": "400"}, headers=token)
    assert too_long.status_code == 422


def token_of_fresh(api: Any, username: str) -> dict[str, str]:
    api.as_(username)
    return token_of(api, username)


def parse(moment: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(moment)


def test_an_expired_key_is_refused(api: Any, runtime: Any) -> None:
    token = token_of_fresh(api, "broker")
    key = api.post(KEYS, data={"name": "erp"}, headers=token).json()
    with runtime.engine.begin() as connection:
        connection.execute(
            update(api_keys)
            .where(api_keys.c.prefix == key["prefix"])
            .values(expires_at=utc_now() - timedelta(seconds=1))
        )
    refused = me(api, {"X-API-Key": key["api_key"]})
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    listed = api.get(KEYS, headers=token).json()
    assert listed[0]["state"] == "expired"


def test_a_key_acts_with_its_owners_role_or_less(api: Any) -> None:
    supervisor = token_of_fresh(api, "supervisor")
    lesser = api.post(KEYS, data={"name": "queue", "role": "officer"}, headers=supervisor)
    assert lesser.status_code == 201
    assert me(api, {"X-API-Key": lesser.json()["api_key"]}).json()["role"] == "officer"
    officer = token_of_fresh(api, "officer")
    more = api.post(KEYS, data={"name": "x", "role": "supervisor"}, headers=officer)
    assert more.status_code == 403
    trader = token_of_fresh(api, "broker")
    assert api.post(KEYS, data={"name": "x", "role": "admin"}, headers=trader).status_code == 403


def test_only_a_person_mints_keys_not_a_key(api: Any) -> None:
    token = token_of_fresh(api, "broker")
    key = api.post(KEYS, data={"name": "erp"}, headers=token).json()["api_key"]
    refused = api.post(KEYS, data={"name": "another"}, headers={"X-API-Key": key})
    assert refused.status_code == 403
    assert "person" in refused.json()["detail"]
    # A key's system still lodges with it.
    lodged = api.post(DECLARATIONS, json=example("import"), headers={"X-API-Key": key})
    assert lodged.status_code == 201


def test_owners_and_administrators_list_and_revoke_keys(api: Any) -> None:
    broker = token_of_fresh(api, "broker")
    acme = token_of_fresh(api, "acme")
    mine = api.post(KEYS, data={"name": "erp"}, headers=broker).json()
    theirs = api.post(KEYS, data={"name": "wms"}, headers=acme).json()
    assert [key["name"] for key in api.get(KEYS, headers=broker).json()] == ["erp"]
    assert api.get(f"{KEYS}?all=true", headers=broker).status_code == 403
    # Another trader's key is not one of yours: it does not exist for you.
    assert api.delete(f"{KEYS}/{theirs['prefix']}", headers=broker).status_code == 404
    assert me(api, {"X-API-Key": theirs["api_key"]}).status_code == 200
    assert api.delete(f"{KEYS}/{mine['prefix']}", headers=broker).status_code == 204
    assert me(api, {"X-API-Key": mine["api_key"]}).status_code == 401
    admin = api.as_("admin")
    everyone = api.get(f"{KEYS}?all=true", headers=admin).json()
    assert {(key["owner"], key["state"]) for key in everyone} == {
        ("broker", "revoked"),
        ("acme", "active"),
    }
    assert api.delete(f"{KEYS}/{theirs['prefix']}", headers=admin).status_code == 204
    assert me(api, {"X-API-Key": theirs["api_key"]}).status_code == 401


def test_the_operator_manages_accounts_and_keys_from_the_command_line(
    api: Any, runtime: Any, tmp_path: Any
) -> None:
    url = runtime.settings.database_url
    secret = tmp_path / "ana.pw"
    secret.write_text("from a file, not the command line\n")
    created = invoke_cli(
        url, "users", "create", "--username", "ana", "--role", "trader",
        "--company", "GB123456789000", "--password-file", str(secret),
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    token = token_of(api, "ana", "from a file, not the command line")
    made = invoke_cli(url, "users", "api-key", "--username", "ana", "--name", "erp", "--days", "7")
    assert made.exit_code == 0, made.output
    key = made.stdout.strip().splitlines()[-1]
    assert me(api, {"X-API-Key": key}).json()["username"] == "ana"
    listed = invoke_cli(url, "users", "api-keys", "ana")
    assert "erp" in listed.stdout and "active" in listed.stdout
    disabled = invoke_cli(url, "users", "disable", "ana")
    assert disabled.exit_code == 0
    assert me(api, token).status_code == me(api, {"X-API-Key": key}).status_code == 401
    assert "disabled" in invoke_cli(url, "users", "list").stdout
    refused = invoke_cli(url, "users", "set-role", "nobody", "--role", "officer")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "error: no user nobody"
    missing = invoke_cli(f"sqlite:///{tmp_path / 'none.db'}", "users", "list")
    assert missing.exit_code == 1 and not (tmp_path / "none.db").exists()

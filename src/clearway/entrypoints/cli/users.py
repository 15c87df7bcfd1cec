"""``clearway users``: the operator's commands for accounts and API keys on the server.

The same store and rules as the users API: disabling, a role change and a password reset end
every earlier token, session and key of the account; every change is in the audit trail and
the ledger, made by ``cli:<login>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from clearway.adapters.accounts import UserStore
from clearway.adapters.database import (
    MissingDatabase,
    create_database_engine,
    require_existing_database,
)
from clearway.config import get_settings
from clearway.domain.access import USER_ROLES, Role
from clearway.domain.errors import ClearwayError
from clearway.domain.events import utc_now
from clearway.entrypoints.cli.output import fail, make_console

users_app = typer.Typer(help="Users and API keys.", no_args_is_help=True)
console = make_console()

RoleOption = Annotated[
    Role, typer.Option(help=f"One of {', '.join(role.value for role in USER_ROLES)}")
]
UsernameOption = Annotated[str, typer.Option(help="Login name")]


@contextmanager
def _accounts() -> Iterator[UserStore]:
    """The accounts of the database the settings name, which must exist; a refusal is the
    command's one line of error, and its connections are closed when the command ends."""
    settings = get_settings()
    try:
        require_existing_database(settings.database_url)
    except MissingDatabase as error:
        fail(str(error))
    engine = create_database_engine(settings.database_url)
    try:
        yield UserStore(engine)
    except ClearwayError as error:
        fail(error.detail)
    finally:
        engine.dispose()


def _password(password: str | None, password_file: Path | None) -> str:
    """The password from a file (its first line), the option, or typed twice at a prompt."""
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read the password file {password_file}: {error}")
        return lines[0] if lines else ""
    if password is not None:
        return password
    typed: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return typed


PasswordOption = Annotated[
    str | None, typer.Option(help="The password (prefer --password-file or the prompt)")
]
PasswordFileOption = Annotated[
    Path | None, typer.Option(help="A file whose first line is the password")
]


@users_app.command("list")
def users_list() -> None:
    """Every account: role, company, state."""
    with _accounts() as accounts:
        users = accounts.list_users()
    table = Table("username", "role", "company", "state", "created")
    now = utc_now()
    for user in users:
        state = (
            "disabled"
            if not user.active
            else f"locked until {user.locked_until:%Y-%m-%d %H:%M:%S}"
            if user.locked_until and user.locked_until > now
            else "active"
        )
        table.add_row(
            user.username,
            user.role.value,
            user.company_id or "",
            state,
            f"{user.created_at:%Y-%m-%d}",
        )
    console.print(table)


@users_app.command("create")
def users_create(
    username: UsernameOption,
    role: RoleOption,
    company: Annotated[str | None, typer.Option(help="Company EORI (traders)")] = None,
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Create a user."""
    secret = _password(password, password_file)
    with _accounts() as accounts:
        accounts.create(username, secret, role, company)
    console.print(f"created {role.value} {username}")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Disable an account: its tokens, sessions and keys end at once."""
    with _accounts() as accounts:
        accounts.set_active(username, False)
    console.print(f"disabled {username}: every token, session and key of it has ended")


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Login name")]) -> None:
    """Enable an account again (and lift a lockout)."""
    with _accounts() as accounts:
        accounts.set_active(username, True)
    console.print(f"enabled {username}")


@users_app.command("set-role")
def users_set_role(
    username: Annotated[str, typer.Argument(help="Login name")],
    role: RoleOption,
    company: Annotated[str | None, typer.Option(help="Company EORI (traders)")] = None,
) -> None:
    """Give an account another role (and company): its earlier tokens and keys end."""
    with _accounts() as accounts:
        accounts.set_role(username, role, company)
    console.print(f"{username} is now {role.value}; earlier tokens and keys have ended")


@users_app.command("reset-password")
def users_reset_password(
    username: Annotated[str, typer.Argument(help="Login name")],
    password: PasswordOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Set a new password: earlier tokens and keys end, a lockout is lifted."""
    secret = _password(password, password_file)
    with _accounts() as accounts:
        accounts.reset_password(username, secret)
    console.print(f"new password set for {username}; earlier tokens and keys have ended")


@users_app.command("api-key")
def users_api_key(
    username: UsernameOption,
    name: Annotated[str, typer.Option(help="What the key is for")] = "system",
    role: Annotated[
        Role | None, typer.Option(help="The role the key acts with (default the user's)")
    ] = None,
    days: Annotated[int, typer.Option(help="Days the key works (1 to 365)")] = 90,
) -> None:
    """Create an API key for a user; it is printed once."""
    with _accounts() as accounts:
        key, summary = accounts.create_api_key(username, name, role=role, days=days)
    until = f"{summary.expires_at:%Y-%m-%d}" if summary.expires_at else "revoked"
    make_console(stderr=True).print(
        f"key {summary.prefix} acts as {username} ({summary.role.value}) until {until}"
    )
    typer.echo(key)


@users_app.command("api-keys")
def users_api_keys(
    username: Annotated[str | None, typer.Argument(help="Only this user's keys")] = None,
) -> None:
    """API keys, newest first, with their state."""
    with _accounts() as accounts:
        keys = accounts.list_api_keys(username)
    table = Table("prefix", "name", "owner", "role", "expires", "state")
    now = utc_now()
    for key in keys:
        table.add_row(
            key.prefix,
            key.name,
            key.owner,
            key.role.value,
            f"{key.expires_at:%Y-%m-%d}" if key.expires_at else "",
            key.state(now),
        )
    console.print(table)


@users_app.command("revoke-key")
def users_revoke_key(prefix: Annotated[str, typer.Argument(help="The key's prefix")]) -> None:
    """Revoke an API key: it stops working at once."""
    with _accounts() as accounts:
        if not accounts.revoke_api_key(prefix):
            fail(f"no API key {prefix} in use")
    console.print(f"revoked {prefix}")

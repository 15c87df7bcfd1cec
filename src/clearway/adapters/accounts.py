"""Users and their API keys in the database: sign-in, tokens' accounts, administration.

Every change here is in the audit trail and, made by someone, an ``AccountChanged`` event of
the ledger, in the transaction of the change. Changes that must end earlier credentials
(disabling, a role or company change, a password reset) raise the account's token version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from clearway.adapters.api_key_store import ApiKeyStore, principal_of, refuse
from clearway.adapters.audit_trail import Acting, current_acting, record
from clearway.adapters.database import reading
from clearway.adapters.security import (
    hash_password,
    password_matches,
)
from clearway.adapters.tables import users
from clearway.domain.access import Principal, Role
from clearway.domain.accounts import (
    UserSummary,
    account_problems,
    lock_after,
    password_problems,
)
from clearway.domain.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from clearway.domain.events import utc_now

WRONG_CREDENTIALS = "wrong username or password"


def _summary(row: Any) -> UserSummary:
    return UserSummary(
        row.id,
        row.username,
        Role(row.role),
        row.company_id,
        row.active,
        row.created_at,
        row.locked_until,
        row.failed_logins,
    )


class UserStore(ApiKeyStore):
    """Users (and, from ``ApiKeyStore``, their API keys) in the database."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utc_now) -> None:
        self._engine = engine
        self._now = clock

    # --- accounts ------------------------------------------------------------------------------

    def create(
        self, username: str, password: str, role: Role, company_id: str | None = None
    ) -> Principal:
        refuse(account_problems(username, password, role, company_id))
        now = self._now()
        try:
            with self._engine.begin() as connection:
                user_id = connection.execute(
                    users.insert()
                    .values(
                        username=username,
                        password_hash=hash_password(password),
                        role=role.value,
                        company_id=company_id,
                        active=True,
                        created_at=now,
                        token_version=1,
                        failed_logins=0,
                    )
                    .returning(users.c.id)
                ).scalar_one()
                record(
                    connection,
                    "user.created",
                    "user",
                    username,
                    {"role": role.value, "company_id": company_id},
                    at=now,
                )
        except IntegrityError as error:
            raise Conflict(f"user {username!r} already exists") from error
        return Principal(username, role, company_id, user_id=user_id)

    def list_users(self) -> list[UserSummary]:
        """Every user, by username."""
        with reading(self._engine) as connection:
            rows = connection.execute(select(users).order_by(users.c.username)).all()
        return [_summary(row) for row in rows]

    def user(self, username: str) -> UserSummary | None:
        with reading(self._engine) as connection:
            row = connection.execute(select(users).where(users.c.username == username)).first()
        return _summary(row) if row else None

    def principal(self, username: str) -> Principal | None:
        """The active account of this name, as it is now."""
        with reading(self._engine) as connection:
            row = connection.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        return principal_of(row) if row else None

    def principal_for_token(self, user_id: int, token_version: int) -> Principal:
        """The account a token was issued to, if the token still speaks for it: the account is
        active and nothing that ends credentials has happened to it since."""
        with reading(self._engine) as connection:
            row = connection.execute(select(users).where(users.c.id == user_id)).first()
        if row is None or not row.active:
            raise NotAuthenticated("the account behind this token no longer exists or is disabled")
        if row.token_version != token_version:
            raise NotAuthenticated(
                "this token was ended by a change to the account (disabled, role or company "
                "changed, or password reset); sign in again"
            )
        return principal_of(row)

    def _change(
        self,
        username: str,
        action: str,
        values: dict[str, Any],
        detail: dict[str, Any],
        *,
        end_credentials: bool = True,
        check: Callable[[Connection, Any], None] | None = None,
    ) -> UserSummary:
        now = self._now()
        with self._engine.begin() as connection:
            row = connection.execute(
                select(users).where(users.c.username == username).with_for_update()
            ).first()
            if row is None:
                raise NotFound(f"no user {username}")
            if check is not None:
                check(connection, row)
            changes = dict(values, updated_at=now)
            if end_credentials:
                changes["token_version"] = users.c.token_version + 1
            connection.execute(update(users).where(users.c.id == row.id).values(**changes))
            record(connection, action, "user", username, detail, at=now)
            fresh = connection.execute(select(users).where(users.c.id == row.id)).one()
        return _summary(fresh)

    def _keep_an_admin(self, connection: Connection, row: Any) -> None:
        """Refuse to leave the system with no active administrator to run it."""
        if row.role != Role.ADMIN.value or not row.active:
            return
        admins = connection.execute(
            select(func.count())
            .select_from(users)
            .where(users.c.role == Role.ADMIN.value, users.c.active.is_(True))
        ).scalar_one()
        if admins <= 1:
            raise Conflict(f"{row.username} is the only active administrator")

    def set_active(self, username: str, active: bool) -> UserSummary:
        """Disable (every token, key and session ends) or enable an account."""
        return self._change(
            username,
            "user.enabled" if active else "user.disabled",
            {"active": active, "failed_logins": 0, "locked_until": None},
            {"active": active},
            check=None if active else self._keep_an_admin,
        )

    def set_role(self, username: str, role: Role, company_id: str | None) -> UserSummary:
        """Give the account another role (and company): earlier tokens and keys end."""
        refuse(
            {
                name: message
                for name, message in account_problems(username, None, role, company_id).items()
                if name != "username"
            }
        )

        def check(connection: Connection, row: Any) -> None:
            if role is not Role.ADMIN:
                self._keep_an_admin(connection, row)

        before = self.user(username)
        return self._change(
            username,
            "user.role_changed",
            {"role": role.value, "company_id": company_id},
            {
                "role": role.value,
                "company_id": company_id,
                "previous_role": before.role.value if before else None,
                "previous_company_id": before.company_id if before else None,
            },
            check=check,
        )

    def reset_password(self, username: str, password: str) -> UserSummary:
        """A new password set by an administrator: earlier tokens and keys end, a lockout
        ends."""
        refuse(password_problems(password))
        return self._change(
            username,
            "user.password_reset",
            {"password_hash": hash_password(password), "failed_logins": 0, "locked_until": None},
            {},
        )

    def change_password(self, user_id: int, current: str, new: str) -> None:
        """The account's own password change: the current one must be given."""
        with reading(self._engine) as connection:
            row = connection.execute(select(users).where(users.c.id == user_id)).first()
        if row is None or not password_matches(row.password_hash, current):
            raise Forbidden("the current password is not right")
        self.reset_password(row.username, new)

    # --- signing in ----------------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> Principal:
        """The account, when the password is right and the account is not locked; wrong
        passwords lock the account for a growing while (``domain.accounts.lock_after``)."""
        now = self._now()
        with reading(self._engine) as connection:
            row = connection.execute(select(users).where(users.c.username == username)).first()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = int((row.locked_until - now).total_seconds()) + 1
            self._log_sign_in(row, username, "login.locked", {"retry_after": wait})
            raise TooManyRequests(
                f"too many wrong passwords for this account: try again in {wait} seconds", wait
            )
        right = password_matches(row.password_hash if row else None, password)
        if row is None or not right or not row.active:
            reason = "unknown user" if row is None else "disabled" if right else "wrong password"
            failures = self._count_failure(row, now) if row is not None and not right else 0
            self._log_sign_in(row, username, "login.failed", {"reason": reason})
            raise NotAuthenticated(WRONG_CREDENTIALS) if not failures else _locked_now(failures)
        with self._engine.begin() as connection:
            if row.failed_logins or row.locked_until is not None:
                connection.execute(
                    update(users)
                    .where(users.c.id == row.id)
                    .values(failed_logins=0, locked_until=None)
                )
            record(
                connection,
                "login.succeeded",
                "user",
                row.username,
                {},
                change=False,
                who=_signing_in(row),
            )
        return principal_of(row)

    def _count_failure(self, row: Any, now: datetime) -> int:
        """Count one more wrong password, atomically (two workers at once count two); the
        failures so far when this one locks the account, else 0."""
        with self._engine.begin() as connection:
            failures = connection.execute(
                update(users)
                .where(users.c.id == row.id)
                .values(failed_logins=users.c.failed_logins + 1)
                .returning(users.c.failed_logins)
            ).scalar_one()
            lock = lock_after(failures)
            if lock is None:
                return 0
            connection.execute(
                update(users).where(users.c.id == row.id).values(locked_until=now + lock)
            )
        return int(failures)

    def _log_sign_in(self, row: Any, username: str, action: str, detail: dict[str, Any]) -> None:
        who = _signing_in(row)
        if row is None:
            detail = {**detail, "username": username[:64]}
        with self._engine.begin() as connection:
            record(
                connection,
                action,
                "user",
                row.username if row is not None else None,
                detail,
                change=False,
                who=who,
            )


def _signing_in(row: Any) -> Acting:
    """The person signing in (not yet authenticated), through the channel they use."""
    acting = current_acting()
    return Acting(
        row.username if row is not None else "anonymous",
        row.role if row is not None else None,
        acting.channel if acting else "api",
        acting.request_id if acting else None,
        acting.client if acting else None,
    )


def _locked_now(failures: int) -> TooManyRequests:
    lock = lock_after(failures)
    wait = int(lock.total_seconds()) if lock else 1
    return TooManyRequests(
        f"{failures} wrong passwords in a row: this account is locked for {wait} seconds", wait
    )

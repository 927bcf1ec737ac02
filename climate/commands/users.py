"""``climate users`` and ``climate tokens``: staff accounts and API tokens from the shell."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from climate import db
from climate.commands import Subparsers
from climate.security import audit
from climate.security.accounts import (
    AccountError,
    create_account,
    find_account,
    list_accounts,
    normalize_email,
    set_disabled,
)
from climate.security.principals import ROLES
from climate.security.tokens import TokenError, create_token, list_tokens, revoke_token
from climate.settings import Settings

ACTOR = "cli"


def register(subparsers: Subparsers) -> None:
    """Add the ``users`` and ``tokens`` command groups."""
    users = subparsers.add_parser("users", help="staff accounts")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an account (prompts for its password)")
    add.add_argument("--email", required=True)
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--school", action="append", default=[], help="school id (school_staff)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.set_defaults(func=run_add)
    actions.add_parser("list", help="list accounts").set_defaults(func=run_list)
    for name in ("disable", "enable"):
        change = actions.add_parser(name, help=f"{name} an account")
        change.add_argument("--email", required=True)
        change.set_defaults(func=run_disable if name == "disable" else run_enable)

    tokens = subparsers.add_parser("tokens", help="API tokens for scripts")
    token_actions = tokens.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = token_actions.add_parser("create", help="create a token (printed once)")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--school", action="append", default=[], help="school id (school_staff)")
    create.set_defaults(func=run_token_create)
    revoke = token_actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=run_token_revoke)
    token_actions.add_parser("list", help="list tokens (never their secrets)").set_defaults(
        func=run_token_list
    )


def _run(work: Callable[[AsyncConnection], Awaitable[int]]) -> int:
    settings = Settings.from_env()

    async def main() -> int:
        engine = db.create_engine(settings.database_url)
        try:
            async with engine.begin() as conn:
                return await work(conn)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Password again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def run_add(args: argparse.Namespace) -> int:
    """Create an account."""
    try:
        password = _password(args)

        async def work(conn: AsyncConnection) -> int:
            account_id = await create_account(conn, args.email, args.role, password, args.school)
            await audit.record(
                conn,
                ACTOR,
                audit.ACCOUNT_CREATED,
                normalize_email(args.email),
                detail={"id": account_id, "role": args.role, "schools": ",".join(args.school)},
            )
            return account_id

        account_id = _run(work)
    except AccountError as error:
        print(f"climate users add: {error}", file=sys.stderr)
        return 2
    print(f"added account {account_id}: {normalize_email(args.email)} ({args.role})")
    return 0


def run_list(_args: argparse.Namespace) -> int:
    """Print every account."""

    async def work(conn: AsyncConnection) -> int:
        for account in await list_accounts(conn):
            state = "disabled" if account.disabled else "active"
            schools = ",".join(account.schools) or "-"
            print(f"{account.id}\t{account.email}\t{account.role}\t{schools}\t{state}")
        return 0

    return _run(work)


def _set(args: argparse.Namespace, disabled: bool) -> int:
    async def work(conn: AsyncConnection) -> int:
        account_id = await find_account(conn, args.email)
        if account_id is None:
            print(f"no account {normalize_email(args.email)}", file=sys.stderr)
            return 1
        if await set_disabled(conn, account_id, disabled):
            action = audit.ACCOUNT_DISABLED if disabled else audit.ACCOUNT_ENABLED
            await audit.record(conn, ACTOR, action, normalize_email(args.email))
        print(f"{normalize_email(args.email)} is {'disabled' if disabled else 'active'}")
        return 0

    return _run(work)


def run_disable(args: argparse.Namespace) -> int:
    """Disable an account and end its sessions."""
    return _set(args, True)


def run_enable(args: argparse.Namespace) -> int:
    """Enable an account."""
    return _set(args, False)


def run_token_create(args: argparse.Namespace) -> int:
    """Create a token and print its secret once."""

    async def work(conn: AsyncConnection) -> tuple[int, str]:
        token_id, raw = await create_token(conn, args.name, args.role, args.school)
        await audit.record(
            conn,
            ACTOR,
            audit.TOKEN_CREATED,
            f"token {token_id}",
            detail={"name": args.name, "role": args.role, "schools": ",".join(args.school)},
        )
        return token_id, raw

    try:
        settings = Settings.from_env()

        async def main() -> tuple[int, str]:
            engine = db.create_engine(settings.database_url)
            try:
                async with engine.begin() as conn:
                    return await work(conn)
            finally:
                await engine.dispose()

        token_id, raw = asyncio.run(main())
    except TokenError as error:
        print(f"climate tokens create: {error}", file=sys.stderr)
        return 2
    print(f"token {token_id} ({args.role}); it is shown only now:")
    print(raw)
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    """Revoke a token."""

    async def work(conn: AsyncConnection) -> int:
        if not await revoke_token(conn, args.id):
            print(f"no live token {args.id}", file=sys.stderr)
            return 1
        await audit.record(conn, ACTOR, audit.TOKEN_REVOKED, f"token {args.id}")
        print(f"token {args.id} revoked")
        return 0

    return _run(work)


def run_token_list(_args: argparse.Namespace) -> int:
    """Print every token without its secret."""

    async def work(conn: AsyncConnection) -> int:
        for token in await list_tokens(conn):
            state = "revoked" if token.revoked else "live"
            schools = ",".join(token.schools) or "-"
            print(f"{token.id}\t{token.name}\t{token.role}\t{schools}\t{state}")
        return 0

    return _run(work)

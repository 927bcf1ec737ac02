"""``climate users`` and ``climate tokens``: staff accounts and API tokens from the shell."""

from __future__ import annotations

import argparse
import getpass
import sys

from climate.commands import ACTOR, Subparsers, on_database
from climate.security import accounts, tokens
from climate.security.accounts import AccountError, normalize_email
from climate.security.principals import ROLES
from climate.security.tokens import TokenError
from climate.settings import Settings


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
        account_id = on_database(
            Settings.from_env(),
            lambda engine: accounts.add_account(
                engine, ACTOR, args.email, args.role, password, args.school
            ),
        )
    except AccountError as error:
        print(f"climate users add: {error}", file=sys.stderr)
        return 2
    print(f"added account {account_id}: {normalize_email(args.email)} ({args.role})")
    return 0


def run_list(_args: argparse.Namespace) -> int:
    """Print every account."""
    for account in on_database(Settings.from_env(), accounts.all_accounts):
        state = "disabled" if account.disabled else "active"
        schools = ",".join(account.schools) or "-"
        print(f"{account.id}\t{account.email}\t{account.role}\t{schools}\t{state}")
    return 0


def _switch(args: argparse.Namespace, disabled: bool) -> int:
    email = on_database(
        Settings.from_env(),
        lambda engine: accounts.switch_account(engine, ACTOR, args.email, disabled=disabled),
    )
    if email is None:
        print(f"no account {normalize_email(args.email)}", file=sys.stderr)
        return 1
    print(f"{email} is {'disabled' if disabled else 'active'}")
    return 0


def run_disable(args: argparse.Namespace) -> int:
    """Disable an account and end its sessions."""
    return _switch(args, True)


def run_enable(args: argparse.Namespace) -> int:
    """Enable an account."""
    return _switch(args, False)


def run_token_create(args: argparse.Namespace) -> int:
    """Create a token and print its secret once."""
    try:
        token_id, raw = on_database(
            Settings.from_env(),
            lambda engine: tokens.issue_token(engine, ACTOR, args.name, args.role, args.school),
        )
    except TokenError as error:
        print(f"climate tokens create: {error}", file=sys.stderr)
        return 2
    print(f"token {token_id} ({args.role}); it is shown only now:")
    print(raw)
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    """Revoke a token."""
    revoked = on_database(
        Settings.from_env(), lambda engine: tokens.withdraw_token(engine, ACTOR, args.id)
    )
    if not revoked:
        print(f"no live token {args.id}", file=sys.stderr)
        return 1
    print(f"token {args.id} revoked")
    return 0


def run_token_list(_args: argparse.Namespace) -> int:
    """Print every token without its secret."""
    for token in on_database(Settings.from_env(), tokens.all_tokens):
        state = "revoked" if token.revoked else "live"
        schools = ",".join(token.schools) or "-"
        print(f"{token.id}\t{token.name}\t{token.role}\t{schools}\t{state}")
    return 0

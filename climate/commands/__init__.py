"""Subcommands of ``climate``: each module has ``register(subparsers)``.

A command's ``func(args) -> int`` returns the exit code: 0 for success, 1 when the work
found problems (such as an invalid instrument), 2 for bad input on the command line.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeAlias, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from climate.db import dispose, open_engine
from climate.settings import Settings

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
# Who the audit log names for what is done from the shell.
ACTOR = "cli"
T = TypeVar("T")


def on_database(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` on an engine of the configured database, closed afterwards."""

    async def main() -> T:
        engine = open_engine(settings.database_url, settings.replica_url, settings.replica_wait)
        try:
            return await work(engine)
        finally:
            await dispose(engine)

    return asyncio.run(main())

"""Subcommands of ``climate``: each module has ``register(subparsers)``.

A command's ``func(args) -> int`` returns the exit code: 0 for success, 1 when the work
found problems (such as an invalid instrument), 2 for bad input on the command line.
"""

from __future__ import annotations

import argparse
from typing import TypeAlias

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

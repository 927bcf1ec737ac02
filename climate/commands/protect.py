"""The `climate protect` command: suppress and audit a tidy CSV table."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from analysis.disclosure import Ledger, Policy, protect_tidy


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `protect` subcommand."""
    parser = subparsers.add_parser(
        "protect", help="suppress small groups in a tidy CSV table and audit the result"
    )
    parser.add_argument("input", type=Path, metavar="INPUT.csv")
    parser.add_argument("--dims", required=True, help="dimension columns, comma-separated")
    parser.add_argument("--total-label", required=True, help="value marking a margin row")
    parser.add_argument("--k", type=int, default=10, help="minimum group size (default 10)")
    parser.add_argument("--exact-n", action="store_true", help="publish n exactly, not in bands")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUTPUT.csv")
    parser.add_argument("--audit", type=Path, required=True, metavar="AUDIT.json")
    parser.add_argument("--ledger", type=Path, help="ledger of earlier releases; updated in place")
    parser.add_argument("--release", default="release", help="id of this release in the ledger")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Protect INPUT, write OUTPUT and AUDIT, print the loss; exit 2 on bad input, none written."""
    try:
        policy = Policy(k=args.k, exact_n=args.exact_n)
        ledger = Ledger.from_json(args.ledger.read_bytes()) if _exists(args.ledger) else None
        with args.input.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise ValueError("the file is empty")
            rows = list(reader)
        dims = [d.strip() for d in args.dims.split(",") if d.strip()]
        result = protect_tidy(
            header,
            rows,
            dims,
            args.total_label,
            policy,
            release_id=args.release,
            ledger=ledger,
        )
    except (OSError, ValueError) as exc:
        print(f"climate protect: {args.input}: {exc}", file=sys.stderr)
        return 2
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(result.header)
        writer.writerows(result.rows)
    args.audit.write_bytes(result.report.to_json())
    if args.ledger is not None:
        args.ledger.write_bytes(result.ledger.to_json())
    print(result.loss.table())
    return 0 if result.report.ok else 1


def _exists(path: Path | None) -> bool:
    return path is not None and path.exists()

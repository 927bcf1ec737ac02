"""Access codes: forgiving to type, impossible to guess.

Codes use an alphabet without look-alikes (no 0/O, 1/I/L, U/V, 5/S, 2/Z, 8/B) and ten
characters, so 4.1e13 possible codes: at the code-entry rate limit a guesser would need
millions of years to find one of a district's few thousand codes.
"""

from __future__ import annotations

import secrets

ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
LENGTH = 10
GROUP = 5


def new_code() -> str:
    """A fresh random code in its stored (canonical) form."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def canonical(text: str) -> str | None:
    """The canonical form of what a person typed, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\n")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def display(code: str) -> str:
    """A code as printed for people: two groups of five."""
    return f"{code[:GROUP]}-{code[GROUP:]}"

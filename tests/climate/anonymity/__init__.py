"""Anonymity invariants, checked from outside: as a reader of the database, logs and exports."""

"""an administration's anonymity settings and schools are locked once it has opened

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 07:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Students were told, before they answered, how they would enter (ticket or class code),
# who else takes the survey (grades, schools, languages), whether the sensitive questions
# are asked and how consent works. Changing any of that once the window has opened changes
# the promise under their answers, so the database itself refuses it, whatever code runs:
# an UPDATE of those columns, or of the status back to draft (which would unlock them),
# once the status is no longer draft. A school cannot leave or be swapped out of an opened
# administration. Adding one stays possible: it widens the crowd and takes cover from no
# one, and a history import adds schools, with their imported responses, to a closed one.
# Deleting a whole administration still cascades: its school rows then have no parent left.
REFUSE = "the anonymity settings of an administration cannot change once it has opened"
REFUSE_SCHOOLS = "the schools of an administration cannot change once it has opened"
LOCKED = ("access_mode", "grades", "locales", "sensitive_module", "consent_mode")
JSON_COLUMNS = ("grades", "locales")
# Whether the school row's administration, before and after the change, has opened.
_OPENED_OLD = (
    "EXISTS (SELECT 1 FROM administration WHERE id = OLD.administration_id AND status <> 'draft')"
)
_OPENED_NEW = (
    "EXISTS (SELECT 1 FROM administration WHERE id = NEW.administration_id AND status <> 'draft')"
)


def _changed_sqlite(column: str) -> str:
    if column in JSON_COLUMNS:
        # Compared as JSON values, so '[9,10]' written over '[9, 10]' is no change.
        return f"json(NEW.{column}) IS NOT json(OLD.{column})"
    return f"NEW.{column} IS NOT OLD.{column}"


def _changed_postgresql(column: str) -> str:
    if column in JSON_COLUMNS:
        # json has no equality; jsonb compares values, not spellings.
        return f"NEW.{column}::jsonb IS DISTINCT FROM OLD.{column}::jsonb"
    return f"NEW.{column} IS DISTINCT FROM OLD.{column}"


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        changed = " OR ".join(_changed_postgresql(c) for c in LOCKED)
        op.execute(
            "CREATE FUNCTION administration_settings_locked() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) THEN "
            f"RAISE EXCEPTION '{REFUSE}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER administration_settings_locked BEFORE UPDATE ON administration "
            "FOR EACH ROW EXECUTE FUNCTION administration_settings_locked()"
        )
        op.execute(
            "CREATE FUNCTION administration_schools_locked() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {_OPENED_OLD} OR (TG_OP = 'UPDATE' AND {_OPENED_NEW}) THEN "
            f"RAISE EXCEPTION '{REFUSE_SCHOOLS}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER administration_schools_locked BEFORE UPDATE OR DELETE "
            "ON administration_school "
            "FOR EACH ROW EXECUTE FUNCTION administration_schools_locked()"
        )
        return
    changed = " OR ".join(_changed_sqlite(c) for c in LOCKED)
    op.execute(
        "CREATE TRIGGER administration_settings_locked BEFORE UPDATE ON administration "
        f"WHEN OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
    )
    for verb, opened in (
        ("update", f"{_OPENED_OLD} OR {_OPENED_NEW}"),
        ("delete", _OPENED_OLD),
    ):
        op.execute(
            f"CREATE TRIGGER administration_schools_no_{verb} BEFORE {verb.upper()} "
            f"ON administration_school WHEN {opened} "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE_SCHOOLS}'); END"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS administration_schools_locked ON administration_school")
        op.execute("DROP FUNCTION IF EXISTS administration_schools_locked()")
        op.execute("DROP TRIGGER IF EXISTS administration_settings_locked ON administration")
        op.execute("DROP FUNCTION IF EXISTS administration_settings_locked()")
        return
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS administration_schools_no_{verb}")
    op.execute("DROP TRIGGER IF EXISTS administration_settings_locked")

"""Settings come from CLIMATE_* variables, validated once."""

from __future__ import annotations

from typing import Any, cast

import pytest

from climate import db
from climate.settings import CrisisContact, Settings, SettingsError, parse_contacts

PG = "postgresql+asyncpg://climate@db.example/climate"

KEY = "k" * 32


def test_defaults_use_a_sqlite_file_and_k_ten() -> None:
    settings = Settings.from_env({"CLIMATE_SECRET_KEY": KEY})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.suppression_k == 10
    assert settings.default_locale == "en"


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="CLIMATE_SECRET_KEY"):
        Settings.from_env({})
    assert Settings.from_env({"CLIMATE_MODE": "demo"}).mode == "demo"


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "CLIMATE_MODE": "debug",
            "CLIMATE_SUPPRESSION_K": "11",
            "CLIMATE_ACCEPTED_LOCALES": "en, es",
            "CLIMATE_DEFAULT_LOCALE": "es",
            "CLIMATE_CRISIS_CONTACTS": "Counseling office: 555-0100; Report a worry: 555-0199",
            "CLIMATE_DISTRICT_NAME": "Lakeside Unified",
        }
    )
    assert settings.suppression_k == 11
    assert settings.accepted_locales == ("en", "es")
    assert settings.crisis_contacts == (
        CrisisContact("Counseling office", "555-0100"),
        CrisisContact("Report a worry", "555-0199"),
    )
    assert settings.district_name == "Lakeside Unified"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLIMATE_MODE": "staging"}, "CLIMATE_MODE"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_SUPPRESSION_K": "ten"}, "CLIMATE_SUPPRESSION_K"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_SUPPRESSION_K": "2"}, "CLIMATE_SUPPRESSION_K"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_DEFAULT_LOCALE": "fr"}, "CLIMATE_DEFAULT_LOCALE"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_CRISIS_CONTACTS": "no colon"}, "entry 1"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_STAFFING_POLICY": "/no/such.toml"}, "CLIMATE_STAFFING"),
        # A replica is of a PostgreSQL primary, and is itself PostgreSQL.
        ({"CLIMATE_MODE": "demo", "CLIMATE_REPLICA_URL": PG}, "CLIMATE_REPLICA_URL needs Postg"),
        ({"CLIMATE_MODE": "demo", "CLIMATE_DATABASE_URL": PG, "CLIMATE_REPLICA_URL": "x"}, "not a"),
        (
            {"CLIMATE_MODE": "demo", "CLIMATE_REPLICA_WAIT": "soon"},
            "CLIMATE_REPLICA_WAIT must be a",
        ),
        ({"CLIMATE_MODE": "demo", "CLIMATE_REPLICA_WAIT": "-1"}, "REPLICA_WAIT must be a"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_settings_are_frozen() -> None:
    settings = Settings(mode="demo")
    with pytest.raises(AttributeError):
        cast(Any, settings).mode = "production"


def test_contacts_skip_empty_entries() -> None:
    assert parse_contacts(" ; A: 1 ;") == (CrisisContact("A", "1"),)


def test_trusted_proxies_and_log_level_are_read_and_checked() -> None:
    env = {"CLIMATE_TRUSTED_PROXIES": " 10.0.0.5, 10.0.0.6 ,", "CLIMATE_LOG_LEVEL": "debug"}
    settings = Settings.from_env(env, mode="demo")
    assert settings.trusted_proxies == ("10.0.0.5", "10.0.0.6")
    assert settings.log_level == "DEBUG"
    with pytest.raises(SettingsError, match="CLIMATE_LOG_LEVEL must be one of"):
        Settings.from_env({"CLIMATE_LOG_LEVEL": "loud"}, mode="demo")


def test_an_unknown_pooler_mode_is_named() -> None:
    with pytest.raises(ValueError, match=r"pooler='session' is not known \(only pooler=trans"):
        db.create_engine(PG + "?pooler=session")


def test_a_transaction_pooler_turns_off_asyncpg_statement_caches() -> None:
    engine = db.create_engine(PG + "?pooler=transaction&ssl=require")
    # The pooler option is ours: it never reaches asyncpg, and the URL's other options do.
    assert engine.url.query == {"prepared_statement_cache_size": "0", "ssl": "require"}
    args = engine.dialect.create_connect_args(engine.url)[1]
    assert args["ssl"] == "require"
    assert "pooler" not in args


def test_a_replica_and_its_wait_are_read() -> None:
    env = {"CLIMATE_MODE": "demo", "CLIMATE_DATABASE_URL": PG, "CLIMATE_REPLICA_URL": PG + "r"}
    settings = Settings.from_env({**env, "CLIMATE_REPLICA_WAIT": "0.5"})
    assert (settings.replica_url, settings.replica_wait) == (PG + "r", 0.5)
    assert Settings.from_env(env).replica_wait == 5.0

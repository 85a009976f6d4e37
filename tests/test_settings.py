"""Settings: one typed object from the environment and an optional .env file, with one-line
errors that name the variable and never show a secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.settings import (
    DEFAULT_DATABASE_URL,
    Settings,
    SettingsError,
    database_url_from_environment,
    load_settings,
    normalize_database_url,
)

BOT_TOKEN = "xoxb-1111-2222-settings-test-bot-token"
SIGNING_SECRET = "settings-test-signing-secret-0123456789"
APP_TOKEN = "xapp-1-A111-222-settings-test-app-token"
CLIENT_SECRET = "settings-test-client-secret-9876543210"
ENCRYPTION_KEY = Fernet.generate_key().decode()
SECRETS = (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, CLIENT_SECRET, ENCRYPTION_KEY)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's SLACK_* or DATABASE_URL leaks in, and no stray .env in the working directory."""
    for key in list(os.environ):
        if key.lower() in Settings.model_fields:
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def valid_environment(monkeypatch: pytest.MonkeyPatch, **overrides: str | None) -> None:
    values: dict[str, str | None] = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    values.update(overrides)
    for key, value in values.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)


def settings_error(env_file: Path | None = None) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file)
    message = str(caught.value)
    assert "\n" not in message, f"error is more than one line: {message!r}"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__, "pydantic's error would leak"
    for secret in SECRETS:
        assert secret not in message
    return message


# ---------------------------------------------------------------- happy paths


def test_minimal_environment_gives_the_embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(monkeypatch)
    settings = load_settings(None)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.slack_signing_secret.get_secret_value() == SIGNING_SECRET
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///tandem.db"
    assert settings.is_sqlite
    assert settings.port == 3000
    assert settings.log_level == "INFO"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.tandem_tick_seconds == 20.0
    assert settings.tandem_clock_file is None
    assert settings.slack_app_token is None
    assert not settings.oauth_enabled


def test_values_are_parsed_and_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(
        monkeypatch,
        SLACK_APP_TOKEN=APP_TOKEN,
        PORT="8080",
        LOG_LEVEL="debug",
        SLACK_API_URL="http://127.0.0.1:9999/api",
        TANDEM_TICK_SECONDS="0.5",
        TANDEM_CLOCK_FILE="clock.txt",
        DATABASE_URL="postgres://tandem:pw@db.internal:5432/tandem",
    )
    settings = load_settings(None)
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"  # trailing slash added for slack_sdk
    assert settings.tandem_tick_seconds == 0.5
    assert settings.tandem_clock_file == Path("clock.txt")
    assert settings.database_url == "postgresql+psycopg://tandem:pw@db.internal:5432/tandem"
    assert not settings.is_sqlite


def test_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(monkeypatch, SLACK_BOT_TOKEN=None, slack_bot_token=BOT_TOKEN)
    assert load_settings(None).slack_bot_token is not None


def test_oauth_mode_needs_no_bot_token(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(monkeypatch, SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID="1234.5678", SLACK_CLIENT_SECRET=CLIENT_SECRET)
    settings = load_settings(None)
    assert settings.oauth_enabled
    assert settings.slack_bot_token is None


def test_env_file_is_read_and_the_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / "tandem.env"
    env_file.write_text(
        "# comments and blank lines are fine\n\n"
        f"SLACK_BOT_TOKEN={BOT_TOKEN}\n"
        f"SLACK_SIGNING_SECRET={SIGNING_SECRET}\n"
        "PORT=4000\n"
        "LOG_LEVEL=WARNING\n"
        "UNRELATED_VARIABLE=ignored\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = load_settings(env_file)
    assert settings.slack_signing_secret.get_secret_value() == SIGNING_SECRET
    assert settings.port == 4000
    assert settings.log_level == "ERROR"


def test_dot_env_in_the_working_directory_is_the_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\n")
    assert load_settings().slack_signing_secret.get_secret_value() == SIGNING_SECRET


def test_a_missing_env_file_is_not_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    valid_environment(monkeypatch)
    assert load_settings(tmp_path / "does-not-exist.env").port == 3000


# ---------------------------------------------------------------- errors: one line, named, no secret


def test_missing_signing_secret_names_the_variable() -> None:
    message = settings_error()
    assert message.startswith("SLACK_SIGNING_SECRET: required but not set")
    assert "Basic Information" in message  # says where to find it


def test_missing_bot_token_names_it_and_the_oauth_alternative(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(monkeypatch, SLACK_BOT_TOKEN=None)
    message = settings_error()
    assert message.startswith("SLACK_BOT_TOKEN: required")
    assert "SLACK_CLIENT_ID" in message


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("PORT", "http", "PORT: "),
        ("PORT", "0", "PORT: "),
        ("PORT", "65536", "PORT: "),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL: "),
        ("TANDEM_TICK_SECONDS", "0", "TANDEM_TICK_SECONDS: "),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: expected an http(s) URL"),
        ("DATABASE_URL", "mysql://root@localhost/tandem", "DATABASE_URL: expected sqlite"),
    ],
)
def test_malformed_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    valid_environment(monkeypatch, **{variable: value})
    assert settings_error().startswith(expected)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SLACK_BOT_TOKEN", "xoxp-user-token-" + SIGNING_SECRET, "SLACK_BOT_TOKEN: expected a bot token"),
        ("SLACK_BOT_TOKEN", APP_TOKEN, "SLACK_BOT_TOKEN: expected a bot token"),
        ("SLACK_APP_TOKEN", BOT_TOKEN, "SLACK_APP_TOKEN: expected an app-level token"),
        ("TANDEM_ENCRYPTION_KEY", SIGNING_SECRET, "TANDEM_ENCRYPTION_KEY: expected Fernet keys"),
    ],
)
def test_a_token_with_the_wrong_prefix_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    valid_environment(monkeypatch, **{variable: value})
    message = settings_error()
    assert message.startswith(expected)
    assert value not in message
    assert value[5:15] not in message  # not even a fragment


@pytest.mark.parametrize(
    ("present", "missing"),
    [("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"), ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")],
)
def test_half_configured_oauth_names_the_missing_half(
    monkeypatch: pytest.MonkeyPatch, present: str, missing: str
) -> None:
    value = CLIENT_SECRET if present == "SLACK_CLIENT_SECRET" else "1234.5678"
    valid_environment(monkeypatch, **{present: value})
    message = settings_error()
    assert message.startswith(f"{missing}: required together with")


def test_errors_in_an_env_file_do_not_echo_it(tmp_path: Path) -> None:
    env_file = tmp_path / "broken.env"
    env_file.write_text(f"SLACK_BOT_TOKEN=xoxe-{CLIENT_SECRET}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\n")
    message = settings_error(env_file)
    assert message.startswith("SLACK_BOT_TOKEN:")
    assert CLIENT_SECRET not in message


# ---------------------------------------------------------------- secrets stay secret


def test_secrets_never_appear_in_repr_str_or_dumps(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(
        monkeypatch,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_CLIENT_ID="1234.5678",
        SLACK_CLIENT_SECRET=CLIENT_SECRET,
        TANDEM_ENCRYPTION_KEY=ENCRYPTION_KEY,
    )
    settings = load_settings(None)
    shown = [repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump())]
    for text in shown:
        for secret in SECRETS:
            assert secret not in text
    assert "1234.5678" in repr(settings)  # the client id is not a secret and helps debugging


def test_every_secret_setting_is_a_secret_type() -> None:
    # A new token-like setting must be SecretStr, or repr() and error messages could show it.
    secret_like = [name for name in Settings.model_fields if any(w in name for w in ("token", "secret", "key"))]
    assert secret_like  # the check is not vacuous
    for name in secret_like:
        annotation = str(Settings.model_fields[name].annotation)
        assert "SecretStr" in annotation, f"{name} is {annotation}, expected SecretStr"
    assert Settings.model_fields["slack_signing_secret"].annotation is SecretStr


# ---------------------------------------------------------------- DATABASE_URL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("  postgres://u@h/db  ", "postgresql+psycopg://u@h/db"),
        ("sqlite:///tandem.db", "sqlite:///tandem.db"),
        ("sqlite:////var/lib/tandem/tandem.db", "sqlite:////var/lib/tandem/tandem.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_url_normalisation(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize("given", ["mysql://root@h/db", "", "tandem.db", "http://db/x"])
def test_database_url_other_backends_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match="expected sqlite"):
        normalize_database_url(given)


def test_database_url_for_alembic_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    # `alembic check` needs only DATABASE_URL, not the Slack settings.
    assert database_url_from_environment() == DEFAULT_DATABASE_URL
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/tandem")
    assert database_url_from_environment() == "postgresql+psycopg://u@127.0.0.1:5432/tandem"


# ---------------------------------------------------------------- the settings file, named or not


def test_a_named_env_file_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    valid_environment(monkeypatch)
    missing = tmp_path / "does-not-exist.env"
    with pytest.raises(SettingsError) as caught:
        load_settings(missing, must_exist=True)
    assert str(caught.value) == (
        f"--env-file {missing}: no such file (leave the option out to read only the environment)"
    )


def test_dev_null_is_an_empty_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    valid_environment(monkeypatch)
    assert load_settings("/dev/null", must_exist=True).port == 3000


def test_a_folder_as_env_file_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    valid_environment(monkeypatch)
    assert settings_error(tmp_path) == f"--env-file {tmp_path}: is a folder, not a settings file"


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_app_token_in_the_environment_is_an_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    valid_environment(monkeypatch, SLACK_APP_TOKEN=value)
    assert settings_error().startswith("SLACK_APP_TOKEN: set but empty;")


def test_an_empty_app_token_in_the_file_is_an_error_unless_the_environment_sets_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "tandem.env"
    env_file.write_text("slack_app_token=\n", encoding="utf-8")
    valid_environment(monkeypatch)
    assert settings_error(env_file).startswith("SLACK_APP_TOKEN: set but empty;")
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)  # the environment wins over the file
    token = load_settings(env_file).slack_app_token
    assert token is not None and token.get_secret_value() == APP_TOKEN


def test_other_empty_values_still_mean_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / "tandem.env"
    env_file.write_text("SLACK_CLIENT_ID=\nTANDEM_ENCRYPTION_KEY=\nPORT=\n", encoding="utf-8")
    valid_environment(monkeypatch)
    settings = load_settings(env_file)
    assert settings.slack_client_id is None and settings.port == 3000

"""Typed settings, built once from the environment (and an optional .env file) in main().

Nothing else in Tandem reads ``os.environ``: the Settings object is passed to whatever needs it.
Secret values are ``SecretStr`` so they never show up in a repr, a log line or an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///tandem.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def normalize_database_url(value: str) -> str:
    """Accept the usual spellings and pick the psycopg 3 driver for PostgreSQL."""
    value = value.strip()
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://") :]
    if value.startswith("postgresql://"):
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    if not value.startswith(("sqlite", "postgresql")):
        raise ValueError("expected sqlite:///path.db or postgresql://user:pass@host/db")
    return value


class SettingsError(Exception):
    """A setting is missing or malformed. ``str()`` is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        hide_input_in_errors=True,
        env_ignore_empty=True,  # `SLACK_APP_TOKEN=` in .env means "not set"
    )

    slack_bot_token: SecretStr | None = Field(default=None, description="Bot token (xoxb-...) for a single workspace.")
    slack_signing_secret: SecretStr = Field(description="Signing secret from the app's Basic Information page.")
    slack_app_token: SecretStr | None = Field(
        default=None, description="App-level token (xapp-...) with connections:write, for Socket Mode."
    )
    slack_client_id: str | None = Field(default=None, description="OAuth client id (multi-workspace).")
    slack_client_secret: SecretStr | None = Field(default=None, description="OAuth client secret.")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, description="Slack Web API base URL.")
    database_url: str = Field(default=DEFAULT_DATABASE_URL, description="SQLAlchemy database URL.")
    port: int = Field(
        default=3000,
        ge=1,
        le=65535,
        description="HTTP port: Slack's requests in HTTP mode; /healthz and /metrics always.",
    )
    log_level: LogLevel = Field(default="INFO", description="Log level.")
    log_format: Literal["text", "json"] = Field(
        default="text", description="Log line format: text for people, json for log pipelines."
    )
    tandem_encryption_key: SecretStr | None = Field(
        default=None, description="Fernet key(s), comma-separated, newest first: encrypts tokens at rest."
    )
    tandem_public_url: str | None = Field(
        default=None,
        description="The address systems reach this Tandem at (https://tandem.example.com): shown with "
        "POST /goals/<id>/values in a goal's values modal.",
    )
    tandem_tick_seconds: float = Field(
        default=20.0, gt=0, le=3600, description="How often the in-process scheduler ticks."
    )
    tandem_clock_file: Path | None = Field(
        default=None,
        description="Test and demo aid: a file holding an ISO-8601 instant the app takes as 'now'.",
    )
    # Summaries (issue #17): off unless the admin names a server. Nothing is sent anywhere else.
    tandem_summary_url: str | None = Field(
        default=None,
        description=(
            "Base URL of an OpenAI-compatible API (POST {url}/chat/completions) for summaries; "
            "unset: local extractive summaries only."
        ),
    )
    tandem_summary_model: str | None = Field(
        default=None, description="Model name sent to TANDEM_SUMMARY_URL (required with it)."
    )
    tandem_summary_api_key: SecretStr | None = Field(
        default=None, description="Bearer token for TANDEM_SUMMARY_URL, if the server wants one."
    )
    tandem_summary_timeout: float = Field(
        default=4.0,
        gt=0,
        le=60,
        description="Seconds a summary may wait for the model (both attempts), then the local one is used.",
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("tandem_summary_url")
    @classmethod
    def _summary_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as http://127.0.0.1:8080/v1")
        return value.rstrip("/")

    @field_validator("tandem_public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")) or len(value) > 200:
            raise ValueError("expected the http(s) address people reach Tandem at, such as https://tandem.example.com")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("expected a bot token starting with xoxb-")
        return value

    @field_validator("tandem_encryption_key")
    @classmethod
    def _encryption_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        try:
            for key in value.get_secret_value().split(","):
                if key.strip():
                    Fernet(key.strip().encode())
        except (ValueError, TypeError):
            raise ValueError("expected Fernet keys (url-safe base64, 32 bytes), comma-separated") from None
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("expected an app-level token starting with xapp-")
        return value

    @model_validator(mode="after")
    def _one_workspace_mode(self) -> Settings:
        oauth = self.slack_client_id is not None or self.slack_client_secret is not None
        if oauth and (self.slack_client_id is None or self.slack_client_secret is None):
            missing = "SLACK_CLIENT_SECRET" if self.slack_client_secret is None else "SLACK_CLIENT_ID"
            raise ValueError(f"{missing}: required together with the other OAuth setting")
        if self.tandem_summary_url and not (self.tandem_summary_model or "").strip():
            raise ValueError("TANDEM_SUMMARY_MODEL: required when TANDEM_SUMMARY_URL is set (the model's name)")
        if not oauth and self.slack_bot_token is None:
            raise ValueError("SLACK_BOT_TOKEN: required (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for OAuth)")
        return self

    @property
    def oauth_enabled(self) -> bool:
        return self.slack_client_id is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    variable = "_".join(str(part) for part in first["loc"]).upper()
    message = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required but not set"
        field = Settings.model_fields.get(variable.lower())
        if field is not None and field.description:
            message += f" ({field.description})"
    if not variable:  # model-level validator: the message starts with the variable name
        return message
    return f"{variable}: {message}"


def _raw_value(name: str, env_file: Path | None) -> str | None:
    """A variable as written (None if absent): the environment first, then the file, as Settings reads them."""
    for key, value in os.environ.items():
        if key.lower() == name:
            return value
    if env_file is not None and env_file.is_file():
        for key, written in dotenv_values(env_file, encoding="utf-8").items():
            if key.lower() == name:
                return written or ""
    return None


def _readable_env_file(env_file: str | Path | None, must_exist: bool) -> Path | None:
    """The settings file to read, or None; SettingsError if it is named but missing or unreadable."""
    if env_file is None:
        return None
    path = Path(env_file)
    if not path.exists():
        if must_exist:
            raise SettingsError(
                f"--env-file {path}: no such file (leave the option out to read only the environment)"
            ) from None
        return None
    if path.is_dir():
        raise SettingsError(f"--env-file {path}: is a folder, not a settings file") from None
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        raise SettingsError(f"settings file {path}: cannot read it ({error.strerror}); fix its permissions") from None
    return path


def load_settings(env_file: str | Path | None = ".env", *, must_exist: bool = False) -> Settings:
    """Build the Settings from the environment; raise SettingsError with a one-line reason.

    ``must_exist``: the file was named explicitly (``--env-file``), so a missing one is an error;
    the default ``.env`` may be absent. ``/dev/null`` is an empty file.
    """
    path = _readable_env_file(env_file, must_exist)
    if _raw_value("slack_app_token", path) is not None and not (_raw_value("slack_app_token", path) or "").strip():
        raise SettingsError(
            "SLACK_APP_TOKEN: set but empty; put the app-level token (xapp-...) there for Socket Mode, "
            "or delete the line to serve HTTP on PORT"
        ) from None
    try:
        return Settings(_env_file=path)  # type: ignore[call-arg]
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None
    except UnicodeDecodeError:
        raise SettingsError(f"settings file {path}: not UTF-8 text") from None


def database_url_from_environment() -> str:
    """For Alembic run by hand (``alembic check``): only the database URL, nothing else required."""
    raw = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    return normalize_database_url(raw)

"""Expected failures of the ``tandem`` command: each becomes ONE line (what, and the fix) and an
exit status, in one place (``explain``) instead of a try/except in every command.

Exit status 2: the settings are wrong (a value Slack or the database refuses, a missing driver or
file); fixing a setting fixes it. Exit status 1: something failed at run time and may pass
(a service unreachable or timing out, a port in use, a folder missing or read-only).
An exception that is not listed here is a bug: ``main`` lets its traceback show.
"""

from __future__ import annotations

import errno
import urllib.error
from pathlib import Path

from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, ProgrammingError

EXIT_FAILURE = 1
EXIT_SETTINGS = 2

# Slack errors meaning "this token is not (or no longer) good": the fix is the setting.
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "not_allowed_token_type"}
)
POSTGRES_DRIVERS = frozenset({"psycopg", "psycopg_binary", "psycopg_c", "psycopg2"})


class Problem(Exception):
    """An expected failure: ``str()`` is the one line printed after ``tandem:``."""

    def __init__(self, message: str, status: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.status = status


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def _database_problem(error: DBAPIError, database_url: str) -> Problem | None:
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    original = error.orig if error.orig is not None else error
    detail = _first_line(original)
    lowered = str(original).lower()
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        if "no such table" in lowered:
            return Problem(f"the SQLite database {path} has no Tandem tables yet: run `tandem migrate` first")
        if "unable to open database file" in lowered:
            folder = path.parent
            if not folder.exists():
                why = f"the folder {folder} does not exist; create it or point DATABASE_URL elsewhere"
            elif not folder.is_dir():
                why = f"{folder} is a file, not a folder; point DATABASE_URL elsewhere"
            else:
                why = f"the folder {folder} is not writable by this user; fix that or point DATABASE_URL elsewhere"
            return Problem(f"cannot open the SQLite database {path}: {why}")
        if "readonly database" in lowered:
            return Problem(f"the SQLite database {path} is read-only: give this user write access to it and its folder")
        if "database is locked" in lowered:
            return Problem(f"the SQLite database {path} is locked by another process; try again")
        if isinstance(error, OperationalError):
            return Problem(f"the SQLite database {path} failed: {detail}")
        return None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if isinstance(error, ProgrammingError):
        if getattr(original, "sqlstate", None) == "42P01":  # undefined_table
            return Problem(
                f"the PostgreSQL database {url.database} has no Tandem tables yet: run `tandem migrate` first"
            )
        return None
    if not isinstance(error, OperationalError):
        return None
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return Problem(
            f"PostgreSQL at {where} refused the login of user {url.username}: check the user name and password "
            "in DATABASE_URL",
            EXIT_SETTINGS,
        )
    if "does not exist" in lowered and "database" in lowered:
        return Problem(
            f"PostgreSQL at {where} has no database {url.database}: create it (createdb {url.database}) "
            "or fix DATABASE_URL",
            EXIT_SETTINGS,
        )
    if "connection refused" in lowered:
        return Problem(
            f"could not connect to PostgreSQL at {where} (connection refused): is the server running, "
            "and is DATABASE_URL right?"
        )
    if "timeout" in lowered or "timed out" in lowered:
        return Problem(f"connecting to PostgreSQL at {where} timed out: check the host in DATABASE_URL and the network")
    if "could not translate host name" in lowered or "name or service not known" in lowered:
        return Problem(f"PostgreSQL host {url.host} is unknown: check the host in DATABASE_URL", EXIT_SETTINGS)
    return Problem(f"the PostgreSQL database at {where} failed: {detail}")


def explain(error: BaseException, *, database_url: str, slack_api_url: str, port: int | None) -> Problem | None:
    """The one-line Problem for an expected failure, or None for anything else (a bug)."""
    if isinstance(error, Problem):
        return error
    if isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] in POSTGRES_DRIVERS:
        return Problem(
            "DATABASE_URL is a PostgreSQL URL but the driver is not installed: pip install 'tandem[postgres]'",
            EXIT_SETTINGS,
        )
    if isinstance(error, DBAPIError):
        return _database_problem(error, database_url)
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error") or error.response.status_code)
        if code in TOKEN_ERRORS:
            return Problem(f"Slack rejected the token ({code}): check the Slack token settings", EXIT_SETTINGS)
        return Problem(f"Slack answered with an error: {code}")
    if isinstance(error, urllib.error.URLError):
        return Problem(
            f"could not reach Slack at {slack_api_url} ({error.reason}): check the network and SLACK_API_URL"
        )
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE and port is not None:
        return Problem(
            f"port {port} is already in use: stop whatever listens there, or pick another port with --port or PORT"
        )
    if isinstance(error, OSError) and error.errno == errno.EACCES and port is not None and port < 1024:
        return Problem(f"not allowed to listen on port {port} as this user: pick a port above 1023 with --port or PORT")
    return None

"""Shared fixtures: the Slack emulator, the driver, the bot (subprocess or in-process), databases.

The fixtures live in tests/support/fixtures.py (documented there and in tests/README.md).
"""

from tests.support.fixtures import (  # noqa: F401  (pytest finds fixtures by name)
    bot,
    bot_environment,
    bot_options,
    clock,
    database_url,
    driver,
    emulator,
    inproc_bot,
    postgres_admin,
    postgres_database_url,
    postgres_template,
    set_now,
    signing_secret,
    sqlite_database_url,
    sqlite_template,
    tandem,
    user,
    workspace,
)

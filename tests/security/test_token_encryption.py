"""Tokens at rest: encrypted with TANDEM_ENCRYPTION_KEY, readable after a key rotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.slack.installations import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    EncryptionKeyError,
    make_installation_store,
    rotate_token_encryption,
)

BOT_TOKEN = "xoxb-111-222-secretsecretsecret"
USER_TOKEN = "xoxp-111-222-usersecretusersecret"


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database.from_url(f"sqlite:///{tmp_path / 'tokens.db'}")
    upgrade_to_head(db)
    yield db
    db.dispose()


def _install(store) -> None:
    store.save(
        Installation(
            app_id="A1",
            team_id="T1",
            user_id="U1",
            bot_token=BOT_TOKEN,
            bot_id="B1",
            bot_user_id="UBOT",
            user_token=USER_TOKEN,
            bot_scopes="commands,chat:write",
        )
    )


def _raw_tokens(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        values = list(connection.execute(select(BOTS_TABLE.c.bot_token)).scalars())
        for row in connection.execute(select(INSTALLATIONS_TABLE.c.bot_token, INSTALLATIONS_TABLE.c.user_token)):
            values.extend(tuple(row))
    return [v for v in values if v]


def test_tokens_are_encrypted_at_rest_and_decrypted_on_read(database: Database) -> None:
    key = Fernet.generate_key().decode()
    store = make_installation_store("111.222", database.engine, key)
    _install(store)

    raw = _raw_tokens(database)
    assert raw, "the installation was not stored"
    assert all(BOT_TOKEN not in v and USER_TOKEN not in v for v in raw)
    assert all(v.startswith("gAAAAA") for v in raw)

    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == BOT_TOKEN
    installation = store.find_installation(enterprise_id=None, team_id="T1")
    assert installation is not None and installation.user_token == USER_TOKEN


def test_without_a_key_tokens_are_plain_and_turning_encryption_on_later_still_reads_them(database: Database) -> None:
    _install(make_installation_store("111.222", database.engine))
    assert BOT_TOKEN in _raw_tokens(database)

    key = Fernet.generate_key().decode()
    store = make_installation_store("111.222", database.engine, key)
    bot = store.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == BOT_TOKEN

    from bot.slack.installations import make_fernet

    assert rotate_token_encryption(database.engine, make_fernet(key)) >= 3
    assert all(v.startswith("gAAAAA") for v in _raw_tokens(database))


def test_rotation_moves_every_token_to_the_new_key(database: Database) -> None:
    from bot.slack.installations import make_fernet

    old = Fernet.generate_key().decode()
    new = Fernet.generate_key().decode()
    _install(make_installation_store("111.222", database.engine, old))

    rewritten = rotate_token_encryption(database.engine, make_fernet(f"{new},{old}"))
    assert rewritten == len(_raw_tokens(database))

    only_new = make_installation_store("111.222", database.engine, new)
    bot = only_new.find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == BOT_TOKEN

    only_old = make_installation_store("111.222", database.engine, old)
    with pytest.raises(EncryptionKeyError):
        only_old.find_bot(enterprise_id=None, team_id="T1")


def test_a_malformed_key_is_refused_with_a_clear_message() -> None:
    from bot.slack.installations import make_fernet

    with pytest.raises(EncryptionKeyError, match="TANDEM_ENCRYPTION_KEY"):
        make_fernet("not-a-key")

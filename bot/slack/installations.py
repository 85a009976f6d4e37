"""slack_sdk's SQLAlchemy installation and OAuth-state stores, with their tables declared on our
metadata so Alembic owns them like every other table (no ``create_all`` at start-up)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from logging import Logger
from typing import TypeVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Connection, Engine, select, update

from bot.db import Base

INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
BOTS_TABLE = SQLAlchemyInstallationStore.build_bots_table(
    Base.metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, SQLAlchemyOAuthStateStore.default_table_name
)


def make_installation_store(client_id: str, engine: Engine, encryption_keys: str | None = None) -> InstallationStore:
    store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
    if encryption_keys:
        return EncryptedInstallationStore(store, make_fernet(encryption_keys))
    return store


def make_state_store(engine: Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)


# --- Tokens encrypted at rest ------------------------------------------------------------------
# With TANDEM_ENCRYPTION_KEY set (Fernet keys, comma-separated, newest first), every token column
# is stored encrypted with cryptography's Fernet (AES-128-CBC + HMAC-SHA256). Rotation: put the
# new key first, keep the old one after it, run `tandem rotate-keys`, then drop the old key.

TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
_FERNET_PREFIX = "gAAAAA"


class EncryptionKeyError(ValueError):
    pass


def make_fernet(keys: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise EncryptionKeyError("TANDEM_ENCRYPTION_KEY: expected one or more Fernet keys, comma-separated")
    try:
        return MultiFernet([Fernet(k.encode()) for k in parts])
    except (ValueError, TypeError):
        raise EncryptionKeyError(
            "TANDEM_ENCRYPTION_KEY: expected Fernet keys (32 url-safe base64 bytes); "
            'make one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        ) from None


def encrypt_token(fernet: MultiFernet, value: str | None) -> str | None:
    if not value or value.startswith(_FERNET_PREFIX):
        return value
    return fernet.encrypt(value.encode()).decode()


def decrypt_token(fernet: MultiFernet, value: str | None) -> str | None:
    if not value or not value.startswith(_FERNET_PREFIX):
        return value  # stored before encryption was switched on: still readable
    try:
        return fernet.decrypt(value.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            "a stored token cannot be decrypted with TANDEM_ENCRYPTION_KEY (was a key removed too early?)"
        ) from None


T = TypeVar("T", Installation, Bot)


def _with_tokens(fernet: MultiFernet, entity: T, transform: Callable[[MultiFernet, str | None], str | None]) -> T:
    clone = copy.copy(entity)
    for field in TOKEN_FIELDS:
        if hasattr(clone, field):
            setattr(clone, field, transform(fernet, getattr(clone, field)))
    return clone


class EncryptedInstallationStore(InstallationStore):
    """Wraps slack_sdk's store: encrypts token fields on save, decrypts them on find."""

    def __init__(self, inner: SQLAlchemyInstallationStore, fernet: MultiFernet) -> None:
        self.inner = inner
        self.fernet = fernet

    @property
    def logger(self) -> Logger:
        return self.inner.logger

    def save(self, installation: Installation) -> None:
        self.inner.save(_with_tokens(self.fernet, installation, encrypt_token))

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(_with_tokens(self.fernet, bot, encrypt_token))

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        bot = self.inner.find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return None if bot is None else _with_tokens(self.fernet, bot, decrypt_token)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = self.inner.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, is_enterprise_install=is_enterprise_install
        )
        return None if found is None else _with_tokens(self.fernet, found, decrypt_token)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.inner.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def rotate_token(fernet: MultiFernet, value: str) -> str:
    """``value`` encrypted with the newest key (re-encrypted if it was, encrypted if it was plaintext)."""
    if value.startswith(_FERNET_PREFIX):
        return fernet.rotate(value.encode()).decode()
    return fernet.encrypt(value.encode()).decode()


def rotate_token_encryption(engine: Engine | Connection, fernet: MultiFernet) -> int:
    """Re-encrypt every stored token with the newest key (and encrypt any plaintext ones).

    Returns the number of values rewritten. One transaction: all or nothing (given a Connection,
    the caller's transaction, so other tokens can be rotated in the same one).
    """
    if isinstance(engine, Connection):
        return _rotate_installations(engine, fernet)
    with engine.begin() as connection:
        return _rotate_installations(connection, fernet)


def _rotate_installations(connection: Connection, fernet: MultiFernet) -> int:
    rewritten = 0
    for table in (INSTALLATIONS_TABLE, BOTS_TABLE):
        fields = [f for f in TOKEN_FIELDS if f in table.c]
        for row in connection.execute(select(table.c.id, *[table.c[f] for f in fields])).mappings():
            changes: dict[str, str] = {}
            for field in fields:
                value = row[field]
                if not value:
                    continue
                changes[field] = rotate_token(fernet, value)
            if changes:
                connection.execute(update(table).where(table.c.id == row["id"]).values(**changes))
                rewritten += len(changes)
    return rewritten

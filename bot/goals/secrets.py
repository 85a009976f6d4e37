"""A goal's pull-source token at rest: encrypted with TANDEM_ENCRYPTION_KEY (Fernet) exactly like
the Slack tokens when that setting is present, stored as given otherwise (the README says so)."""

from __future__ import annotations

from cryptography.fernet import MultiFernet
from sqlalchemy import Connection, select, update

from bot.goals.models import Goal
from bot.slack.installations import decrypt_token, encrypt_token, make_fernet, rotate_token


def seal(token: str, keys: str | None) -> str:
    if not keys:
        return token
    return encrypt_token(make_fernet(keys), token) or ""


def unseal(stored: str | None, keys: str | None) -> str | None:
    if not stored:
        return None
    if not keys:
        return stored
    return decrypt_token(make_fernet(keys), stored)


def rotate_pull_tokens(connection: Connection, fernet: MultiFernet) -> int:
    """Re-encrypt every goal's pull token with the newest key (and encrypt plaintext ones), on the
    caller's transaction (``tandem rotate-keys`` rotates the Slack tokens in the same one)."""
    rewritten = 0
    rows = connection.execute(select(Goal.id, Goal.pull_token).where(Goal.pull_token.is_not(None))).all()
    for goal_id, stored in rows:
        if not stored:
            continue
        sealed = rotate_token(fernet, stored)
        connection.execute(update(Goal).where(Goal.id == goal_id).values(pull_token=sealed))
        rewritten += 1
    return rewritten

"""A goal's pull-source token at rest: encrypted with TANDEM_ENCRYPTION_KEY (Fernet) exactly like
the Slack tokens when that setting is present, stored as given otherwise (the README says so)."""

from __future__ import annotations

from bot.slack.installations import decrypt_token, encrypt_token, make_fernet


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

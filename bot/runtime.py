"""Build the long-lived objects from Settings, once, in main()."""

from __future__ import annotations

from collections.abc import Sequence

from bot import features as ritual_features
from bot.clock import Clock, file_clock, system_clock
from bot.db import Database
from bot.feature import Feature, delivery_hooks, job_table
from bot.feature import web_routes as feature_web_routes
from bot.services import Services
from bot.settings import Settings
from bot.slack.clients import SlackClients
from bot.slack.installations import make_installation_store
from bot.wsgi import WSGIApp


def secrets_of(settings: Settings) -> list[str]:
    values = [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.slack_client_secret,
        settings.tandem_encryption_key,
    ]
    return [v.get_secret_value() for v in values if v is not None]


def build_services(
    settings: Settings, clock: Clock | None = None, *, features: Sequence[Feature] | None = None
) -> Services:
    """Services for ``features`` (default: every ritual, ``bot.features.FEATURES``, read at call
    time): their job handlers become ``services.jobs``, their outbox hooks ``services.hooks``."""
    if features is None:
        features = ritual_features.FEATURES
    db = Database.from_url(settings.database_url)
    store = None
    if settings.oauth_enabled:
        assert settings.slack_client_id is not None
        key = settings.tandem_encryption_key
        store = make_installation_store(settings.slack_client_id, db.engine, key.get_secret_value() if key else None)
    if clock is None:
        clock = file_clock(settings.tandem_clock_file) if settings.tandem_clock_file else system_clock
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        slack=SlackClients(settings, store),
        jobs=job_table(features),
        hooks=delivery_hooks(features),
        installation_store=store,
    )


def web_routes(services: Services, features: Sequence[Feature] | None = None) -> dict[str, WSGIApp]:
    """The features' HTTP routes (path prefix -> WSGI app) for ``bot.web.build_wsgi_app``: served
    in HTTP mode and, in Socket Mode, on the port that serves /healthz."""
    return feature_web_routes(ritual_features.FEATURES if features is None else features, services)

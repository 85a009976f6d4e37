"""The App Home feature: its listeners (listed in bot/features.py); no jobs, no outbox hooks."""

from __future__ import annotations

from bot.feature import Feature
from bot.home import listeners

FEATURE = Feature(name="home", register=listeners.register)

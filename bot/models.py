"""Imports every model module so ``Base.metadata`` is complete (Alembic and tests use it)."""

from __future__ import annotations

import bot.digest.models
import bot.goals.models
import bot.insights.models
import bot.launches.models
import bot.retro.models
import bot.scheduling.models
import bot.slack.delivery_models
import bot.slack.installations
import bot.standup.models
import bot.summaries.models
import bot.workspaces  # noqa: F401 - imported for their tables
from bot.db import Base

metadata = Base.metadata

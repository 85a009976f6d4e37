"""Every ritual of the app, in one place: ``bot.app`` registers their listeners in this order, and
``bot.runtime`` builds the job and hook tables from them. Adding a ritual = one line here."""

from __future__ import annotations

from bot.digest.feature import FEATURE as DIGEST
from bot.feature import Feature
from bot.goals.feature import FEATURE as GOALS
from bot.home.feature import FEATURE as HOME
from bot.insights.feature import FEATURE as INSIGHTS
from bot.launches.feature import FEATURE as LAUNCHES
from bot.retro.feature import FEATURE as RETRO
from bot.standup.feature import FEATURE as STANDUP

FEATURES: tuple[Feature, ...] = (STANDUP, RETRO, INSIGHTS, GOALS, LAUNCHES, DIGEST, HOME)

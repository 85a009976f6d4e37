"""The objects a feature needs, built once in main() and handed to each feature's register()."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slack_sdk.oauth.installation_store import InstallationStore

from bot.clock import Clock
from bot.db import Database
from bot.settings import Settings
from bot.slack.clients import SlackClients

if TYPE_CHECKING:
    # Types only: bot.scheduling.registry imports Services (a job's context carries it), and so
    # does bot.slack.drainer, which reads the hooks (bot.slack.outbox) from services.hooks.
    from bot.scheduling.registry import JobTable
    from bot.slack.outbox import DeliveryHooks


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    slack: SlackClients
    # Built from the features (bot.features) by bot.runtime.build_services: the tick's job
    # handlers by kind, and the drainer's result and failure hooks. Nothing registers on import.
    jobs: JobTable
    hooks: DeliveryHooks
    installation_store: InstallationStore | None = None
    # Set after a unit of work that enqueued outbox rows commits: wakes the drainer thread.
    outbox_wakeup: threading.Event = field(default_factory=threading.Event)

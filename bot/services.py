"""The objects a feature needs, built once in main() and handed to each feature's register()."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from slack_sdk.oauth.installation_store import InstallationStore

from bot.clock import Clock
from bot.db import Database
from bot.settings import Settings
from bot.slack.clients import SlackClients


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    slack: SlackClients
    installation_store: InstallationStore | None = None
    # Set after a unit of work that enqueued outbox rows commits: wakes the drainer thread.
    outbox_wakeup: threading.Event = field(default_factory=threading.Event)

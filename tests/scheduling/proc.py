"""Run the real ``tandem`` CLI in a child process with test job handlers registered:
``python -m tests.scheduling.proc tick --now 2026-03-02T08:00:00Z``.

The ``proc.prompt`` job DMs its subject. Its outbox key includes the process id on purpose: if two
processes ever ran the same occurrence, two rows (and two DMs) would show it.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta

from bot import features
from bot.cli import main
from bot.feature import Feature
from bot.scheduling import JobContext, JobSpec
from bot.slack.outbox import enqueue


def prompt(ctx: JobContext) -> None:
    time.sleep(0.005)  # widen the window in which two processes could collide
    enqueue(
        ctx.session,
        team_id=ctx.schedule.team_id,
        method="chat.postMessage",
        args={"channel": ctx.subject, "text": f"stand-up {ctx.scheduled_for:%Y-%m-%d} from {os.getpid()}"},
        key=f"{ctx.occurrence_key}:{os.getpid()}",
        now=ctx.now,
    )


PROC = Feature(
    name="proc", register=lambda app, services: None, jobs=(JobSpec("proc.prompt", prompt, timedelta(hours=2)),)
)

if __name__ == "__main__":
    # This child process only: the CLI below builds its Services from bot.features.FEATURES
    # (read when build_services runs), so the test job is one more feature, wired like the real ones.
    features.FEATURES = (*features.FEATURES, PROC)
    raise SystemExit(main(["--env-file", os.devnull, *sys.argv[1:]]))

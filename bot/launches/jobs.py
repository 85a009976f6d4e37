"""The launch timers' handlers (``JobKind``), one ``JobSpec`` per kind.

The plan's timers (``timeline``) are handled by the checklist, dates and after-the-launch parts
of the package; their specs are merged here when those parts land. Until then a launch's timers
wait in the schedules table (the tick leaves a kind it has no handler for untouched).
"""

from __future__ import annotations

from bot.scheduling.registry import JobSpec

JOBS: tuple[JobSpec, ...] = ()

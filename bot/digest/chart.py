"""The digest's chart: ``ChartData`` rendered to PNG bytes locally with matplotlib (Agg, no
display, no network). Data in, bytes out, like ``views``.

Read at a glance: counts on whole-number axes, stand-up participation as the share of the
answers expected from each side (answers / prompts, not raw counts), the partnership health
trend from the health-check retros, the goals' progress toward their targets, and one colour per
side in every panel (``SIDE_COLOURS``).

Uploading the bytes is ``bot.slack.files.upload_file`` (passed in as the ``Uploader``); sharing
them into the digest's thread goes through the outbox: see ``posting._attach_chart``.
"""

from __future__ import annotations

import io
import math
import threading
from typing import Any

from bot.digest.data import ChartData

_LOCK = threading.Lock()  # pyplot keeps global state; one figure at a time per process

# One colour per side, in every panel (keyed by the side's label as ChartData carries it).
PRODUCT_COLOUR = "#2f6fb3"
MARKETING_COLOUR = "#e07b22"
SIDE_COLOURS = {"Product": PRODUCT_COLOUR, "Marketing": MARKETING_COLOUR}
OTHER_COLOUR = "#7f7f7f"
GOAL_COLOUR = "#3a9a5b"
GOAL_LABEL_CHARS = 40


def side_colour(label: str) -> str:
    return SIDE_COLOURS.get(label, OTHER_COLOUR)


def _nan(values: tuple[float | None, ...], scale: float = 1.0) -> list[float]:
    return [math.nan if v is None else v * scale for v in values]


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= GOAL_LABEL_CHARS else title[: GOAL_LABEL_CHARS - 1] + "…"


def build_figure(chart: ChartData, plt: Any, ticker: Any) -> Any:
    """The figure (kept open: the caller closes it), drawn with ``matplotlib.pyplot`` and
    ``matplotlib.ticker`` as given. Panels: insights, participation, health, and goal progress
    when there are goals."""
    MaxNLocator, PercentFormatter = ticker.MaxNLocator, ticker.PercentFormatter
    labels = [w.strftime("%d %b") for w in chart.week_starts]
    positions = list(range(len(labels)))
    rows = 4 if chart.goals else 3
    heights = [3, 2.2, 2.2] + ([max(1.6, 0.35 * len(chart.goals) + 0.8)] if chart.goals else [])
    figure, axes = plt.subplots(rows, 1, figsize=(9, sum(heights) + 1.2), dpi=100, height_ratios=heights)
    insights, participation, health = axes[0], axes[1], axes[2]
    for ax in (participation, health):
        ax.sharex(insights)

    base = [0] * len(labels)
    for name, values in chart.insights.items():
        insights.bar(positions, values, bottom=base, label=name)
        base = [b + v for b, v in zip(base, values, strict=True)]
    insights.set_title("New customer insights per category")
    insights.set_ylabel("insights")
    insights.yaxis.set_major_locator(MaxNLocator(integer=True))
    if chart.insights:
        insights.legend(fontsize="small", loc="upper left")

    for name, shares in chart.participation.items():
        participation.plot(positions, _nan(shares, 100), marker="o", label=name, color=side_colour(name))
    participation.set_title("Stand-up participation: share of the answers expected from each side")
    participation.set_ylabel("answered")
    participation.set_ylim(0, 105)
    participation.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    if chart.participation:
        participation.legend(fontsize="small", loc="lower left")

    for name, scores in chart.health.items():
        health.plot(positions, _nan(scores), marker="s", label=name, color=side_colour(name))
    health.set_title("Partnership health (health-check retros, 1 to 5)")
    health.set_ylabel("score")
    health.set_ylim(1, 5.2)
    health.yaxis.set_major_locator(MaxNLocator(integer=True))
    if chart.health:
        health.legend(fontsize="small", loc="lower left")
    health.set_xticks(positions, labels)
    health.set_xlabel("week starting")

    if chart.goals:
        goals = axes[3]
        names = [_short(t) for t, _ in chart.goals][::-1]  # worst first at the top
        percents = [share * 100 for _, share in chart.goals][::-1]
        shown = [max(0.0, min(120.0, p)) for p in percents]
        goals.barh(range(len(names)), shown, color=GOAL_COLOUR)
        goals.set_yticks(range(len(names)), names, fontsize="small")
        goals.axvline(100, color="black", linewidth=0.8, linestyle="--")
        goals.set_xlim(0, 120)
        goals.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        goals.set_title("Shared goals: progress toward target")
        for y, (value, real) in enumerate(zip(shown, percents, strict=True)):
            goals.text(value + 1, y, f"{round(real)}%", va="center", fontsize="small")
    figure.tight_layout()
    return figure


def render_chart(chart: ChartData) -> bytes:
    """A PNG of ``build_figure``."""
    # Imported here on purpose: matplotlib costs about a second and tens of MB at import, only a
    # chart needs it, and the Agg backend must be chosen before pyplot is imported.
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    import matplotlib.ticker as ticker

    with _LOCK:
        figure = build_figure(chart, plt, ticker)
        try:
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
        finally:
            plt.close(figure)
    return buffer.getvalue()

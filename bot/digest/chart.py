"""The digest's chart: ``ChartData`` rendered to PNG bytes locally with matplotlib (Agg, no
display, no network). Data in, bytes out, like ``views``.

Uploading the bytes is ``bot.slack.files.upload_file`` (passed in as the ``Uploader``); sharing
them into the digest's thread goes through the outbox: see ``posting._attach_chart``.
"""

from __future__ import annotations

import io
import threading

from bot.digest.data import ChartData

_LOCK = threading.Lock()  # pyplot keeps global state; one figure at a time per process


def render_chart(chart: ChartData) -> bytes:
    """A PNG: new insights per category (stacked bars) and stand-up answers per side (lines)."""
    # Imported here on purpose: matplotlib costs about a second and tens of MB at import, only a
    # chart needs it, and the Agg backend must be chosen before pyplot is imported.
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    labels = [w.strftime("%d %b") for w in chart.week_starts]
    positions = list(range(len(labels)))
    with _LOCK:
        figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), dpi=100, sharex=True)
        try:
            base = [0] * len(labels)
            for name, values in chart.insights.items():
                top.bar(positions, values, bottom=base, label=name)
                base = [b + v for b, v in zip(base, values, strict=True)]
            top.set_title("New customer insights per category")
            top.set_ylabel("insights")
            if chart.insights:
                top.legend(fontsize="small", loc="upper left")
            for name, values in chart.answers.items():
                bottom.plot(positions, values, marker="o", label=name)
            bottom.set_title("Stand-up answers per side")
            bottom.set_ylabel("answers")
            if chart.answers:
                bottom.legend(fontsize="small", loc="upper left")
            bottom.set_xticks(positions, labels)
            bottom.set_xlabel("week starting")
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
        finally:
            plt.close(figure)
    return buffer.getvalue()

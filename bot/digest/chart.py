"""The digest's chart: rendered locally with matplotlib (Agg, no display, no network) and
uploaded with Slack's two-step flow (files.getUploadURLExternal, then POST the bytes).

The third step, files.completeUploadExternal (sharing into the digest's thread), goes through the
outbox: see ``service._attach_chart``.
"""

from __future__ import annotations

import io
import threading

import httpx
from slack_sdk import WebClient

from bot.digest.data import ChartData

_LOCK = threading.Lock()  # pyplot keeps global state; one figure at a time per process


def render_chart(chart: ChartData) -> bytes:
    """A PNG: new insights per category (stacked bars) and stand-up answers per side (lines)."""
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


class UploadFailed(Exception):
    pass


def upload_file(client: WebClient, content: bytes, filename: str, title: str, *, timeout: float = 20.0) -> str:
    """Steps 1 and 2 of Slack's external upload; returns the file id to complete later."""
    response = client.files_getUploadURLExternal(filename=filename, length=len(content), alt_txt=title)
    upload_url = str(response.get("upload_url") or "")
    file_id = str(response.get("file_id") or "")
    if not upload_url or not file_id:
        raise UploadFailed("files.getUploadURLExternal returned no upload_url")
    posted = httpx.post(upload_url, content=content, timeout=timeout)
    if posted.status_code != 200:
        raise UploadFailed(f"upload to Slack answered HTTP {posted.status_code}")
    return file_id

"""How a summary reads in a message: its title (marked "(extractive)" when it is the local one)
and its sentences escaped like any user text."""

from __future__ import annotations

from bot.slack.text import escape
from bot.summaries.data import Summary


def summary_title(title: str, summary: Summary) -> str:
    return f"{title} (extractive)" if summary.extractive else title


def summary_mrkdwn(title: str, summary: Summary, emoji: str = ":memo:") -> str:
    return f"{emoji} *{summary_title(title, summary)}*\n" + escape(summary.text)


def build_switch_text(enabled: bool, model_configured: bool) -> str:
    if not enabled:
        return (
            "Summaries are *off* for this workspace: stand-ups, retros and digests carry no summary and "
            "nothing is sent to a model. An admin can turn them on with `/digest summaries on`."
        )
    where = (
        "written by the model your admin configured (TANDEM_SUMMARY_URL), or picked from your own words "
        "if it does not answer in time"
        if model_configured
        else "picked from your own words on this server (no model is configured, nothing is sent anywhere)"
    )
    return f"Summaries are *on*: {where}. An admin can turn them off with `/digest summaries off`."

"""What the drainer does with a Slack error: retry it, or fail the row and tell the ritual's owner.

``TRANSIENT_ERRORS`` are retried with backoff (``bot.slack.sender`` classifies each answer);
any other Slack error is permanent. ``FIXABLE_ERRORS`` are the ones the owner can fix, and
``failure_alert_text`` is the one DM they get about it, with the fix in words.
"""

from __future__ import annotations

from bot.slack.channels import EXTERNAL_CHANNEL
from bot.slack.delivery_models import OutboxMessage

TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# Errors the ritual's owner can fix; the DM says how (see ``failure_alert_text``).
FIXABLE_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
        "restricted_action",
        "cannot_dm_bot",
        "messages_tab_disabled",
        EXTERNAL_CHANNEL,
    }
)
DEPENDENCY_FAILED = "dependency_failed"
# A row rendered at send time (bot.slack.outbox.render_at_send): its renderer raised (retried with
# backoff), or found nothing to show any more, e.g. its goal was deleted (failed, nobody told).
RENDER_FAILED = "render_failed"
NOTHING_TO_RENDER = "nothing_to_render"


def failure_alert_text(row: OutboxMessage, error: str) -> str:
    """The DM to a ritual's owner when a message of theirs could not be delivered: what and how to fix."""
    where = (
        f"<#{row.channel}>"
        if row.channel.startswith(("C", "G"))
        else (f"<@{row.channel}>" if row.channel else "its channel")
    )
    what = f"I couldn't deliver a message of your {row.ritual_kind or 'ritual'}"
    fixes = {
        "not_in_channel": f"I'm not a member of {where}. Invite me there with `/invite @Tandem`.",
        "channel_not_found": (
            f"I can't see {where}: it may be private (invite me with `/invite @Tandem`) or deleted "
            "(pick another channel in the ritual's settings)."
        ),
        "is_archived": f"{where} is archived. Unarchive it or pick another channel in the ritual's settings.",
        "account_inactive": f"{where} has been deactivated. Remove them from the ritual's participants.",
        "user_not_found": f"I can't find {where} in this workspace. Remove them from the ritual's participants.",
        "user_disabled": f"{where} has been deactivated. Remove them from the ritual's participants.",
        "cannot_dm_bot": f"{where} is a bot and can't get DMs. Remove it from the ritual's participants.",
        "messages_tab_disabled": "My Messages tab is turned off: ask your Slack admin to enable it for Tandem.",
        "missing_scope": "Tandem is missing a permission: ask your Slack admin to reinstall Tandem.",
        "invalid_auth": "Tandem's access to this workspace is broken: ask your Slack admin to reinstall Tandem.",
        "not_authed": "Tandem's access to this workspace is broken: ask your Slack admin to reinstall Tandem.",
        "token_revoked": "Tandem was uninstalled or its token revoked: ask your Slack admin to reinstall Tandem.",
        "restricted_action": f"Posting in {where} is restricted. Ask an admin to allow me, or pick another channel.",
        EXTERNAL_CHANNEL: (
            f"{where} includes people outside your organisation, and nobody confirmed posting there, "
            "so I held it back. Pick an internal channel in the ritual's settings, or tick "
            "“post there anyway” there if they should see it."
        ),
    }
    fix = fixes.get(error, f"Slack answered `{error}`.")
    return f":warning: {what} to {where}. {fix} I'll keep the ritual running; this is the only notice about it."

"""What the bot sends to Slack (Block Kit blocks, modals, mrkdwn) as safe HTML for the playground page.

Pure and self-contained: standard library only, no I/O, nothing global is mutated. Every string
that comes from the bot or a person is HTML-escaped (``html.escape(..., quote=True)``) before any
markup is added around it, attribute values included, and only ``http:``, ``https:`` and
``mailto:`` URLs (or files the page serves itself, ``RenderContext.files``) ever become links or
images.

What the page's script can rely on (it listens by event delegation; there are no inline handlers):

- every block is an element with ``data-block-id`` (empty when the block has none) and
  ``data-block-index`` (its position, to find it in the view or message definition);
- every control carries ``data-element-type``, ``data-block-id``, ``data-action-id`` and
  ``name="<block_id>/<action_id>"``; buttons add ``data-value``; option values are Slack's option
  ``value`` strings (user and conversation selects: the ids); checkboxes and radio buttons are a
  ``div`` with those attributes (and ``data-name``) around native inputs named the same way;
  overflow options may carry ``data-url``;
- an element with a ``confirm`` object has ``data-confirm``: JSON ``{"title", "text", "confirm",
  "deny", "style"}`` as plain text;
- an input block is ``div.bk-input`` with ``data-block-id``, ``data-optional="1"`` when optional
  and ``data-dispatch="1"`` for ``dispatch_action``; its error, if any, is ``[role=alert]``;
- a modal is ``div.bk-modal[data-view-type=modal]`` (``data-callback-id``, ``data-external-id``)
  with ``button[data-role=close]`` (the close icon and the close label) and, when the view has one,
  ``button[data-role=submit]``; a home tab is ``div.bk-home[data-view-type=home]``;
- ``<time datetime>`` holds every formatted ``<!date>`` instant in UTC.

The CSS for every class used here is ``static/blockkit.css``.
"""

from bot.playground.render.blocks import render_blocks
from bot.playground.render.context import RenderContext
from bot.playground.render.emoji import EMOJI
from bot.playground.render.messages import render_message
from bot.playground.render.mrkdwn import render_mrkdwn, render_plain, render_text
from bot.playground.render.safety import safe_url
from bot.playground.render.views import render_view

__all__ = [
    "EMOJI",
    "RenderContext",
    "render_blocks",
    "render_message",
    "render_mrkdwn",
    "render_plain",
    "render_text",
    "render_view",
    "safe_url",
]

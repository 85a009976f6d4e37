"""Emoji shortcodes (``:tada:``) and the characters they stand for."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.playground.render.safety import _attrs

# Every shortcode Tandem writes (grep bot/ for ``:[a-z_]+:``) plus the common ones people type.
# Unknown shortcodes stay as the literal ``:name:``, as in a workspace without that custom emoji.
EMOJI: Mapping[str, str] = {
    "arrow_lower_right": "\u2198\ufe0f",
    "arrow_upper_right": "\u2197\ufe0f",
    "arrows_counterclockwise": "\U0001f504",
    "bulb": "\U0001f4a1",
    "busts_in_silhouette": "\U0001f465",
    "calendar": "\U0001f4c6",
    "checkered_flag": "\U0001f3c1",
    "double_vertical_bar": "\u23f8\ufe0f",
    "eyes": "\U0001f440",
    "gear": "\u2699\ufe0f",
    "hammer_and_wrench": "\U0001f6e0\ufe0f",
    "handshake": "\U0001f91d",
    "hourglass": "\u231b",
    "large_green_circle": "\U0001f7e2",
    "large_yellow_circle": "\U0001f7e1",
    "mega": "\U0001f4e3",
    "memo": "\U0001f4dd",
    "memory": "\U0001f4dd",
    "new": "\U0001f195",
    "no_entry": "\u26d4",
    "no_entry_sign": "\U0001f6ab",
    "ok_hand": "\U0001f44c",
    "raised_hands": "\U0001f64c",
    "raising_hand": "\U0001f64b",
    "red_circle": "\U0001f534",
    "rocket": "\U0001f680",
    "sparkles": "\u2728",
    "spiral_calendar_pad": "\U0001f5d3\ufe0f",
    "sunrise": "\U0001f305",
    "warning": "\u26a0\ufe0f",
    "wastebasket": "\U0001f5d1\ufe0f",
    "wave": "\U0001f44b",
    "white_check_mark": "\u2705",
    "white_circle": "\u26aa",
    # common in people's answers
    "+1": "\U0001f44d",
    "thumbsup": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsdown": "\U0001f44e",
    "tada": "\U0001f389",
    "heart": "\u2764\ufe0f",
    "smile": "\U0001f604",
    "slightly_smiling_face": "\U0001f642",
    "joy": "\U0001f602",
    "thinking_face": "\U0001f914",
    "fire": "\U0001f525",
    "star": "\u2b50",
    "x": "\u274c",
    "heavy_check_mark": "\u2714\ufe0f",
    "pushpin": "\U0001f4cc",
    "hourglass_flowing_sand": "\u23f3",
    "chart_with_upwards_trend": "\U0001f4c8",
    "speech_balloon": "\U0001f4ac",
    "point_right": "\U0001f449",
    "pray": "\U0001f64f",
    "100": "\U0001f4af",
    # ``:+1::skin-tone-3:``: the modifier right after an emoji combines with it
    "skin-tone-2": "\U0001f3fb",
    "skin-tone-3": "\U0001f3fc",
    "skin-tone-4": "\U0001f3fd",
    "skin-tone-5": "\U0001f3fe",
    "skin-tone-6": "\U0001f3ff",
}

_SHORTCODE = re.compile(r":([a-z0-9_+'-]+):")


def _emoji_html(name: str) -> str | None:
    char = EMOJI.get(name)
    return None if char is None else f'<span class="bk-emoji"{_attrs([("title", f":{name}:")])}>{char}</span>'

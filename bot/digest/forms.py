"""The setup modal's state -> ``DigestSettings``, its validation, and its typed metadata."""

from __future__ import annotations

from datetime import time

from bot.digest.data import DigestSettings, sections_of
from bot.digest.ids import Action, Block
from bot.scheduling.cadence import InvalidCadence, zone
from bot.slack import forms
from bot.slack.channels import read_confirmation
from bot.slack.metadata import ViewMetadata


class SetupMetadata(ViewMetadata):
    digest_id: int = 0  # 0: a new digest


def parse_setup(state: forms.State) -> DigestSettings:
    """The settings as submitted (``view.state.values``); ``validate_settings`` says what to fix."""
    day = forms.selected(state, Block.WEEKDAY, Action.WEEKDAY) or "0"
    return DigestSettings(
        channel_id=forms.conversation(state, Block.CHANNEL, Action.CHANNEL) or "",
        weekday=int(day) if day.isdigit() else -1,
        local_time=str(forms.element(state, Block.TIME, Action.TIME).get("selected_time") or ""),
        timezone=forms.text(state, Block.TIMEZONE, Action.TIMEZONE),
        sections=sections_of(forms.selected_values(state, Block.SECTIONS, Action.SECTIONS)),
        external_ok=read_confirmation(state, Block.EXTERNAL, Action.EXTERNAL),
    )


def validate_settings(settings: DigestSettings) -> dict[str, str]:
    """Block id -> message for the setup modal; empty when valid."""
    errors: dict[str, str] = {}
    if not settings.channel_id:
        errors[Block.CHANNEL] = "Pick the channel the digest goes to."
    if not 0 <= settings.weekday <= 6:
        errors[Block.WEEKDAY] = "Pick a day of the week."
    try:
        time.fromisoformat(settings.local_time)
    except ValueError:
        errors[Block.TIME] = "Pick a time, like 09:00."
    try:
        zone(settings.timezone)
    except InvalidCadence:
        errors[Block.TIMEZONE] = "That is not a time zone I know. Try a name like Europe/Berlin or America/New_York."
    if not settings.sections:
        errors[Block.SECTIONS] = "Pick at least one section."
    return errors

"""The playground's demo workspace: who works there, their channels, and the rituals already set up.

A product team and a marketing team in five time zones (a half-hour offset among them), the
channels they would use (a shared product-marketing channel, an insights channel, a channel
shared with a customer, one per side), a user group per side, and four rituals, set up the way a
person would: slash commands and signed modal submissions to the real app (:func:`seed_rituals`),
never rows written behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.digest.ids import Block as DigestBlock
from bot.digest.ids import Callback as DigestCallback
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.people import SimulatedUser
from bot.playground.workspace_state import Workspace, new_id
from bot.retro.ids import Block as RetroBlock
from bot.retro.ids import Callback as RetroCallback
from bot.standup.ids import Block as StandupBlock
from bot.standup.ids import Callback as StandupCallback
from bot.standup.ids import Side

WORKSPACE_NAME = "Northwind"
SEED_TIMEOUT = 15.0  # seconds for each modal to open while seeding (the machine may be busy)


@dataclass(frozen=True)
class Person:
    handle: str
    real_name: str
    title: str
    tz: str
    side: str  # "product", "marketing" or "customer"
    is_admin: bool = False


CAST: tuple[Person, ...] = (
    Person("nora", "Nora Lindqvist", "Head of Product", "Europe/Berlin", "product", is_admin=True),
    Person("sam", "Sam Okafor", "Product Manager", "America/New_York", "product"),
    Person("leo", "Leo Martins", "Product Manager", "Europe/Berlin", "product"),
    Person("ravi", "Ravi Menon", "Product Analyst", "Asia/Kolkata", "product"),
    Person("maya", "Maya Rossi", "Product Marketing Manager", "America/New_York", "marketing"),
    Person("jules", "Jules Carter", "Content Marketer", "America/Los_Angeles", "marketing"),
    Person("hana", "Hana Sato", "Head of Marketing", "Europe/London", "marketing"),
    Person("dana", "Dana Wu (Globex)", "Customer: Head of Ops at Globex", "America/Chicago", "customer"),
)

PRODUCT = [p.handle for p in CAST if p.side == "product"]
MARKETING = [p.handle for p in CAST if p.side == "marketing"]
TEAM = PRODUCT + MARKETING

# name -> (members, purpose shown in the page)
CHANNELS: dict[str, tuple[list[str], str]] = {
    "product-marketing": (TEAM, "Product and marketing, together: stand-ups, retros, the digest"),
    "customer-insights": (TEAM, "What customers tell us, saved with the message shortcut"),
    "globex-shared": (["sam", "maya", "dana"], "Shared with Globex, a customer"),
    "product": (PRODUCT, "The product team"),
    "marketing": (MARKETING, "The marketing team"),
    "general": (TEAM, "Everyone"),
}
FIRST_CHANNEL = "product-marketing"  # what the page opens on
# Channels shared with another organisation (Slack Connect).
SHARED_WITH_CUSTOMER = ("globex-shared",)

STANDUP_NAME = "Product + Marketing daily"
RETRO_TITLE = "Fortnightly product + marketing retro"


def build_cast(workspace: Workspace) -> None:
    """Replace the emulator's standard cast with the demo team (ids stay Slack-shaped)."""
    bot_user = workspace.users[workspace.bot_user_id]
    workspace.name = WORKSPACE_NAME
    workspace.domain = WORKSPACE_NAME.lower()
    workspace.users = {bot_user.id: bot_user}
    workspace.channels = {}
    workspace.usergroups = {}
    for person in CAST:
        workspace.add_user(person.handle, person.real_name, person.tz, title=person.title, is_admin=person.is_admin)
    customer_org = new_id("T")  # Globex's own Slack organisation, on the other side of the Connect channel
    for name, (members, _purpose) in CHANNELS.items():
        external = [customer_org] if name in SHARED_WITH_CUSTOMER else None
        workspace.add_channel(name, members=members, external_teams=external)
    workspace.add_usergroup("product", PRODUCT)
    workspace.add_usergroup("marketing", MARKETING)


def side_of(workspace: Workspace, user_id: str) -> str:
    handle = workspace.users[user_id].name
    return next((p.side for p in CAST if p.handle == handle), "")


def purpose_of(channel_name: str) -> str:
    return CHANNELS.get(channel_name, ([], ""))[1]


def _setup(
    person: SimulatedUser, command: str, text: str, channel: str, callback_id: str, values: dict[str, Any]
) -> None:
    ack = person.command(command, text, channel=channel)
    if ack.status != 200:
        raise RuntimeError(f"{command} {text}: the app answered HTTP {ack.status}")
    view = person.modal(callback_id=callback_id, timeout=SEED_TIMEOUT)
    submitted = person.submit(values, view=view)
    if submitted.status != 200 or submitted.errors:
        raise RuntimeError(f"{command} {text}: the set-up form was refused: {submitted.errors or submitted.body}")
    if person.emulator.open_modal(person.id) is not None:  # a confirmation the person would close
        person.close_modal()


def seed_rituals(people: dict[str, SimulatedUser], workspace: Workspace, first_friday: str) -> None:
    """Set up the demo's rituals through the app, as its people would (``first_friday``: ISO date
    of the retro's first session)."""
    joint = workspace.channel_id("product-marketing")
    insights = workspace.channel_id("customer-insights")
    _setup(
        people["nora"],
        "/standup",
        "new",
        joint,
        StandupCallback.SETUP,
        {
            StandupBlock.NAME: STANDUP_NAME,
            StandupBlock.CHANNEL: joint,
            StandupBlock.groups(Side.PRODUCT): [workspace.usergroup_id("product")],
            StandupBlock.groups(Side.MARKETING): [workspace.usergroup_id("marketing")],
            StandupBlock.TIME: "09:30",
            StandupBlock.ZONE_MODE: "personal",
        },
    )
    _setup(
        people["hana"],
        "/retro",
        "new",
        joint,
        RetroCallback.SETUP,
        {
            RetroBlock.TITLE: RETRO_TITLE,
            RetroBlock.CHANNEL: joint,
            RetroBlock.WHEN: "recurring",
            RetroBlock.DATE: first_friday,
            RetroBlock.TIME: "16:00",
            RetroBlock.TIMEZONE: "Europe/London",
            RetroBlock.REPEAT: "2",
            RetroBlock.COLLECT: "1",
        },
    )
    _setup(people["nora"], "/insight", "setup", insights, InsightCallback.SETUP, {InsightBlock.CHANNEL: insights})
    _setup(
        people["nora"],
        "/digest",
        "setup",
        joint,
        DigestCallback.SETUP,
        {DigestBlock.WEEKDAY: "0", DigestBlock.TIME: "09:00", DigestBlock.TIMEZONE: "Europe/Berlin"},
    )

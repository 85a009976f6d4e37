""" "Play a week": the demo team lives through a week, through the same signed requests a real
workspace would send.

The clock jumps from ritual to ritual (:meth:`Playground.next_ritual`) until the Monday after; at
each stop the people do what people do: answer their stand-up prompts (most of them, with a
blocker or an ask for the other team now and then; one skips a day), a customer says something
in the shared channel and a product marketer saves it as an insight, two more insights come in by
``/insight``, a PM says he heard the customer's ask too, and the head of product triages them
(each person who shared one hears what became of it by DM; the customer's channel hears nothing),
and when the retro opens people add items and vote. Every step is a SimulatedUser action: a
slash command, a click, a modal submission, a message shortcut.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.people import SimulatedUser
from bot.playground.runtime import Playground
from bot.playground.workspace_state import Message
from bot.retro.ids import Action as RetroAction
from bot.retro.ids import Block as RetroBlock
from bot.retro.ids import Callback as RetroCallback
from bot.standup.ids import Action as StandupAction
from bot.standup.ids import Block as StandupBlock
from bot.standup.ids import Callback as StandupCallback

log = logging.getLogger(__name__)

WEEK = timedelta(days=7, hours=8)  # Monday 03:00 UTC to the next Monday's digest (09:00 Berlin)
MODAL_TIMEOUT = 15.0

# What each person says, by weekday (0 = Monday): (done, next, blocker, ask for the other side).
DONE = {
    "nora": ["Roadmap review with the leads", "Pricing tiers signed off", "Hiring loop for the PM role",
             "Q1 planning draft", "Board update"],
    "sam": ["SSO discovery calls (2 customers)", "Wrote the SSO one-pager", "Sprint planning",
            "Okta spike with engineering", "Beta feedback triage"],
    "leo": ["Onboarding funnel analysis", "New checklist design review", "Checklist copy with Jules",
            "Usability test, 5 sessions", "Shipped the checklist to 10%"],
    "ravi": ["Activation dashboard", "Cohort cut for the pricing test", "Churn survey analysis",
             "Funnel metrics for the digest", "Data quality fixes"],
    "maya": ["Launch brief for SSO", "Positioning workshop", "Sales enablement deck",
             "Competitive teardown", "Launch date proposal"],
    "jules": ["Blog post draft: onboarding", "Webinar landing page", "Newsletter", "Case study interview",
              "Social calendar"],
    "hana": ["Campaign budget", "Agency check-in", "Q1 marketing plan", "Brand review", "Team 1:1s"],
}  # fmt: skip
NEXT = "Keep going on the plan for tomorrow"
BLOCKERS = {("sam", 1): "Okta test tenant not ready", ("maya", 2): "Waiting on final SSO pricing"}
ASKS = {("maya", 2): ("sam", "Can you confirm the SSO price by Thursday?"),
        ("leo", 0): ("jules", "Could you review the checklist copy?")}  # fmt: skip
SKIPS = {("jules", 2), ("hana", 4)}  # (person, weekday) nobody answers for
CUSTOMER_SAYS = "Our security team needs SSO with Okta before we roll this out to the other 400 people."
RETRO_ITEMS = {
    "leo": (0, "The checklist beta shipped on time, with marketing copy ready on day one"),
    "maya": (1, "Pricing for SSO came late for the launch brief"),
    "ravi": (2, "Share the activation dashboard in the digest every week"),
}
RETRO_VOTERS = ("nora", "hana", "sam")
# Insights typed with /insight: (weekday, who, what they heard, customer).
TYPED_INSIGHTS = (
    (2, "sam", "Prospects keep asking for a Salesforce sync before they buy", "Initech"),
    (2, "jules", "Webinar attendees loved the onboarding checklist demo", "Hooli"),
)
HEARD_TOO = ("leo", "Umbrella", "Same Okta ask on Tuesday's onboarding call")  # who, customer, note
# Thursday: the head of product triages: (words of the insight, status, note for the people who shared it).
TRIAGE = (
    ("SSO with Okta", "planned", "SSO with Okta is planned for the Q1 release."),
    ("Salesforce sync", "acknowledged", "We hear you; it goes into the integrations review."),
)


@dataclass
class WeekReport:
    steps: list[str] = field(default_factory=list)
    answers: int = 0
    skipped: int = 0
    insights: int = 0
    triaged: int = 0
    retro_items: int = 0
    votes: int = 0

    def summary(self) -> str:
        return (
            f"played a week: {len(self.steps)} rituals, {self.answers} stand-up answers ({self.skipped} skipped), "
            f"{self.insights} insights saved, {self.triaged} triaged, "
            f"{self.retro_items} retro items, {self.votes} votes"
        )


class WeekPlayer:
    """Plays the demo week once (``play``); ``running`` says whether it is under way."""

    def __init__(self, playground: Playground, on_step: Callable[[str], None] | None = None) -> None:
        self.playground = playground
        self.on_step = on_step or (lambda _line: None)
        self.report = WeekReport()
        self._lock = threading.Lock()
        self._answered: set[str] = set()
        self._retros: set[str] = set()
        self._customer_spoke = False
        self._insight_days: set[int] = set()

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def _people(self) -> dict[str, SimulatedUser]:
        return {person.name: person for person in self.playground.people.values()}

    def play(self, stop: threading.Event | None = None) -> WeekReport:
        """Play the week (or until ``stop`` is set: Ctrl-C, the playground stopping)."""
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("the week is already being played")
        try:
            pg = self.playground
            end = pg.clock() + WEEK
            while stop is None or not stop.is_set():
                due = pg.next_due()
                if due is None or due > end:
                    break
                tick = pg.next_ritual()
                berlin = tick.now.astimezone(ZoneInfo("Europe/Berlin"))
                line = f"{berlin:%a %H:%M} Berlin: {tick.note.split(': ', 1)[-1]}"
                self.report.steps.append(line)
                self.on_step(line)
                self._people_act(tick.now.astimezone(ZoneInfo("Europe/Berlin")).weekday())
                pg.settle()
            if pg.clock() < end and (stop is None or not stop.is_set()):
                pg.advance(end - pg.clock())
            return self.report
        finally:
            self._lock.release()

    # ------------------------------------------------------------------ what people do
    def _people_act(self, weekday: int) -> None:
        people = self._people()
        if weekday >= 1 and not self._customer_spoke:
            self._customer_speaks(people)
        for handle, person in people.items():
            for prompt in self._open_prompts(person):
                self._answer(handle, person, prompt, weekday)
        if weekday not in self._insight_days:
            self._insight_days.add(weekday)
            self._insights(people, weekday)
        self._retro(people)

    def _open_prompts(self, person: SimulatedUser) -> list[Message]:
        found = []
        for message in person.dms:
            if message.ts in self._answered or not message.text.startswith("Time for"):
                continue
            buttons = [e for b in message.blocks or [] for e in b.get("elements") or [] if isinstance(e, dict)]
            if any(e.get("action_id") == StandupAction.OPEN_ANSWER for e in buttons):
                found.append(message)
        return found

    def _answer(self, handle: str, person: SimulatedUser, prompt: Message, weekday: int) -> None:
        self._answered.add(prompt.ts)
        if (handle, weekday) in SKIPS or handle not in DONE:
            self.report.skipped += 1
            return
        person.click(StandupAction.OPEN_ANSWER, message=prompt)
        view = person.modal(callback_id=StandupCallback.ANSWER, timeout=MODAL_TIMEOUT)
        values: dict[str, object] = {
            StandupBlock.answer(0): DONE[handle][weekday % len(DONE[handle])],
            StandupBlock.answer(1): NEXT,
        }
        blocks = {b.get("block_id") for b in view.blocks}
        if (handle, weekday) in BLOCKERS and StandupBlock.BLOCKER in blocks:
            values[StandupBlock.BLOCKER] = BLOCKERS[(handle, weekday)]
        if (handle, weekday) in ASKS and StandupBlock.ASK_USER in blocks:
            whom, ask = ASKS[(handle, weekday)]
            values[StandupBlock.ASK_USER] = self.playground.workspace.user_id(whom)
            values[StandupBlock.ASK_TEXT] = ask
        values = {k: v for k, v in values.items() if k in blocks}
        ack = person.submit(values, view=view)
        if ack.status == 200 and not ack.errors:
            self.report.answers += 1
        elif person.emulator.open_modal(person.id) is not None:
            person.close_modal()

    def _customer_speaks(self, people: dict[str, SimulatedUser]) -> None:
        self._customer_spoke = True
        pg = self.playground
        channel = pg.workspace.channel_id("globex-shared")
        said = pg.say(people["dana"].id, channel, CUSTOMER_SAYS)
        maya = people["maya"]
        maya.shortcut(InsightCallback.MESSAGE_SHORTCUT, said)
        view = maya.modal(callback_id=InsightCallback.CAPTURE, timeout=MODAL_TIMEOUT)
        ack = maya.submit({InsightBlock.CUSTOMER: "Globex", InsightBlock.IMPACT: "high"}, view=view)
        if ack.status == 200 and not ack.errors:
            self.report.insights += 1
        if maya.emulator.open_modal(maya.id) is not None:
            maya.close_modal()

    def _insights(self, people: dict[str, SimulatedUser], weekday: int) -> None:
        """Insights typed with /insight, a "heard this too", and Thursday's triage."""
        for day, handle, text, customer in TYPED_INSIGHTS:
            if day != weekday:
                continue
            person = people[handle]
            person.command("/insight", text, channel="product-marketing")
            view = person.modal(callback_id=InsightCallback.CAPTURE, timeout=MODAL_TIMEOUT)
            ack = person.submit({InsightBlock.CUSTOMER: customer}, view=view)
            if ack.status == 200 and not ack.errors:
                self.report.insights += 1
            self._close_leftover(person)
        if weekday == 2:
            handle, customer, note = HEARD_TOO
            self._act_on_insight(people[handle], "SSO with Okta", InsightAction.HEARD_TOO, InsightCallback.PLUS_ONE,
                                 {InsightBlock.CUSTOMER: customer, InsightBlock.NOTE: note})  # fmt: skip
        if weekday == 3:
            for words, status, note in TRIAGE:
                done = self._act_on_insight(people["nora"], words, InsightAction.TRIAGE, InsightCallback.TRIAGE,
                                            {InsightBlock.STATUS: status, InsightBlock.NOTE: note})  # fmt: skip
                self.report.triaged += int(done)

    def _act_on_insight(
        self, person: SimulatedUser, words: str, action: str, callback_id: str, values: dict[str, object]
    ) -> bool:
        """Click ``action`` on the insight post mentioning ``words`` and submit its modal."""
        self.playground.settle()  # the insight's post reaches its channel through the outbox
        channel = self.playground.workspace.channel_id("customer-insights")
        posts = [m for m in self.playground.emulator.messages_in(channel) if words in str(m.blocks or m.text)]
        if not posts:
            log.warning("demo week: no insight post about %r to act on", words)
            return False
        person.click(action, message=posts[-1])
        view = person.modal(callback_id=callback_id, timeout=MODAL_TIMEOUT)
        ack = person.submit(values, view=view)
        self._close_leftover(person)
        return ack.status == 200 and not ack.errors

    @staticmethod
    def _close_leftover(person: SimulatedUser) -> None:
        if person.emulator.open_modal(person.id) is not None:  # a confirmation the person would close
            person.close_modal()

    def _retro(self, people: dict[str, SimulatedUser]) -> None:
        pg = self.playground
        channel = pg.workspace.channel_id("product-marketing")
        for card in pg.emulator.messages_in(channel):
            if card.ts in self._retros or not card.text.startswith("Retro:"):
                continue
            actions = [e for b in card.blocks or [] for e in b.get("elements") or [] if isinstance(e, dict)]
            if not any(e.get("action_id") == RetroAction.ADD_ITEM for e in actions):
                continue  # closed
            self._retros.add(card.ts)
            for handle, (prompt, text) in RETRO_ITEMS.items():
                person = people[handle]
                person.click(RetroAction.ADD_ITEM, message=card)
                view = person.modal(callback_id=RetroCallback.ADD_ITEM, timeout=MODAL_TIMEOUT)
                ack = person.submit({RetroBlock.ITEM_PROMPT: str(prompt), RetroBlock.ITEM_TEXT: text}, view=view)
                if ack.status == 200 and not ack.errors:
                    self.report.retro_items += 1
                if person.emulator.open_modal(person.id) is not None:
                    person.close_modal()
            for handle in RETRO_VOTERS:
                person = people[handle]
                person.click(RetroAction.VOTE, message=pg.emulator.message(channel, card.ts))
                view = person.modal(callback_id=RetroCallback.VOTE, timeout=MODAL_TIMEOUT)
                accessories = [b["accessory"] for b in view.blocks if isinstance(b.get("accessory"), dict)]
                buttons = [a for a in accessories if a.get("action_id") == RetroAction.TOGGLE_VOTE]
                if buttons:
                    ack = person.click(RetroAction.TOGGLE_VOTE, value=buttons[0].get("value"), in_modal=True)
                    if ack.status == 200:
                        self.report.votes += 1
                if person.emulator.open_modal(person.id) is not None:
                    person.close_modal()

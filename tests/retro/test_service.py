"""Fast tests of the retro service against a migrated SQLite database (no Slack)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.retro.actions import add_action_item, complete_action_item, list_open_action_items, reschedule_action_item
from bot.retro.data import NotAllowed, RetroError, RetroNotFound, RetroSummary, SeriesSetup
from bot.retro.ids import ActionStatus, Anonymity, JobKind, RetroStatus, RetroTemplate, Side, StartMode, Strand
from bot.retro.items import add_item, app_secret, rating_form, save_rating, toggle_vote, vote_state
from bot.retro.lookups import get_retro, get_series
from bot.retro.models import Retro, RetroItem, RetroVote
from bot.retro.runs import close_by_title, close_retro, close_retro_by_user, open_retro
from bot.retro.series import create_series
from bot.retro.summary import retro_card
from bot.retro.templates import TEMPLATES, PromptError, parse_custom_prompts
from bot.retro.views import build_retro_message, build_summary_message
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.retro.helpers import field_error, rows_mentioning

TEAM = "T0ACME0001"
OTHER_TEAM = "T0GLOBEX01"
FACILITATOR = "UFACIL0001"
ALICE = "UALICE0001"
BOB = "UBOB000001"
SECRET = app_secret("test-signing-secret")
NOW = datetime(2026, 3, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def db(sqlite_database_url: str) -> Iterator[Database]:
    database = Database.from_url(sqlite_database_url)
    yield database
    database.dispose()


def setup_of(**changes: object) -> SeriesSetup:
    values: dict[str, object] = {
        "title": "Spring launch",
        "channel_id": "C0SHARED01",
        "start_mode": StartMode.NOW,
        "template": RetroTemplate.WELL_NOT_TRY,
        "prompts": list(TEMPLATES[RetroTemplate.WELL_NOT_TRY].prompts),
        "anonymity": Anonymity.OPTIONAL,
        "votes_per_person": 3,
        "collect_minutes": 24 * 60,
    }
    values.update(changes)
    return SeriesSetup(**values)  # type: ignore[arg-type]


def start(db: Database, **changes: object) -> int:
    with db.unit_of_work() as session:
        result = create_series(session, team_id=TEAM, facilitator_id=FACILITATOR, setup=setup_of(**changes), now=NOW)
        assert result.opened is not None
        return result.opened.id


def add(db: Database, retro_id: int, user: str, text: str, *, prompt: int = 0, anonymous: bool = False) -> int:
    with db.unit_of_work() as session:
        return add_item(
            session,
            team_id=TEAM,
            retro_id=retro_id,
            user_id=user,
            prompt_index=prompt,
            text=text,
            anonymous=anonymous,
            now=NOW,
        ).id


def close(db: Database, retro_id: int, now: datetime = NOW) -> RetroSummary:
    with db.unit_of_work() as session:
        return close_retro(session, get_retro(session, TEAM, retro_id), now)


def test_every_template_has_its_prompts() -> None:
    assert TEMPLATES[RetroTemplate.FOUR_LS].prompts == ("Liked", "Learned", "Lacked", "Longed for")
    assert TEMPLATES[RetroTemplate.START_STOP_CONTINUE].prompts == ("Start", "Stop", "Continue")
    assert "Where are we assuming alignment, but missing it?" in TEMPLATES[RetroTemplate.ALIGNMENT].prompts
    assert TEMPLATES[RetroTemplate.LAUNCH].prompts[0] == "Goals and success metrics"
    assert TEMPLATES[RetroTemplate.PARTNERSHIP].rates_partnership
    assert parse_custom_prompts("- What surprised us?\n\n• What will we keep?\n") == [
        "What surprised us?",
        "What will we keep?",
    ]
    with pytest.raises(PromptError):
        parse_custom_prompts("  \n ")
    with pytest.raises(PromptError):
        parse_custom_prompts("\n".join(f"p{i}" for i in range(11)))


def test_start_now_posts_one_message_and_sets_the_closing_timer(db: Database) -> None:
    retro_id = start(db)
    with db.unit_of_work() as session:
        rows = list(session.scalars(select(OutboxMessage).where(OutboxMessage.team_id == TEAM)))
        assert [(r.method, r.key) for r in rows] == [("chat.postMessage", f"retro:{retro_id}:message")]
        assert rows[0].args["channel"] == "C0SHARED01"
        assert rows[0].on_result == "retro.message_posted"
        timer = session.scalar(select(Schedule).where(Schedule.kind == JobKind.CLOSE))
        assert timer is not None and timer.ref_id == str(retro_id) and timer.team_id == TEAM
        assert timer.next_run_at == NOW + timedelta(days=1)


def test_recurring_setup_schedules_every_other_friday_across_dst(db: Database) -> None:
    friday = date(2026, 3, 20)  # Berlin moves to summer time on Sunday 29 March
    with db.unit_of_work() as session:
        result = create_series(
            session,
            team_id=TEAM,
            facilitator_id=FACILITATOR,
            setup=setup_of(
                start_mode=StartMode.RECURRING,
                start_date=friday,
                local_time=time(15, 0),
                timezone="Europe/Berlin",
                repeat_weeks=2,
            ),
            now=datetime(2026, 3, 19, 9, 0, tzinfo=UTC),
        )
        assert result.opened is None
        assert result.first_run_at == datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # 15:00 CET
        schedule = session.scalar(select(Schedule).where(Schedule.kind == JobKind.OPEN))
        assert schedule is not None
        assert schedule.recurrence().next_after(result.first_run_at) == datetime(2026, 4, 3, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "block"),
    [
        ({"title": "  "}, "retro_title"),
        ({"title": "x" * 81}, "retro_title"),
        ({"prompts": []}, "retro_prompts"),
        ({"start_mode": StartMode.ON_DATE, "start_date": date(2026, 3, 1)}, "retro_date"),
        (
            {"start_mode": StartMode.RECURRING, "start_date": date(2026, 4, 1), "timezone": "Mars/Base"},
            "retro_timezone",
        ),
        ({"start_mode": StartMode.ON_DATE, "start_date": None}, "retro_date"),
    ],
)
def test_setup_errors_name_the_field(db: Database, changes: dict[str, object], block: str) -> None:
    with field_error() as raised, db.unit_of_work() as session:
        create_series(session, team_id=TEAM, facilitator_id=FACILITATOR, setup=setup_of(**changes), now=NOW)
    assert raised.value.block_id == block


def test_duplicate_title_is_refused(db: Database) -> None:
    start(db)
    with field_error(match="already a retro"), db.unit_of_work() as session:
        create_series(session, team_id=TEAM, facilitator_id=FACILITATOR, setup=setup_of(title="spring LAUNCH"), now=NOW)


def test_anonymous_item_stores_no_author_anywhere(db: Database) -> None:
    retro_id = start(db)
    add(db, retro_id, ALICE, "Rollout dates moved twice without telling marketing", anonymous=True)
    assert rows_mentioning(db.engine, ALICE) == []
    with db.unit_of_work() as session:
        item = session.scalar(select(RetroItem))
        assert item is not None and item.author_id is None
        update = session.scalar(select(OutboxMessage).where(OutboxMessage.method == "chat.update"))
        assert update is not None and "Rollout dates moved twice" in str(update.args)


@pytest.mark.parametrize(
    ("mode", "asked", "stored_author"),
    [
        (Anonymity.ALWAYS, False, None),
        (Anonymity.OFF, True, ALICE),
        (Anonymity.OPTIONAL, False, ALICE),
        (Anonymity.OPTIONAL, True, None),
    ],
)
def test_anonymity_modes(db: Database, mode: Anonymity, asked: bool, stored_author: str | None) -> None:
    retro_id = start(db, anonymity=mode)
    add(db, retro_id, ALICE, "Item", anonymous=asked)
    with db.unit_of_work() as session:
        assert session.scalar(select(RetroItem.author_id)) == stored_author


def test_item_text_errors_keep_nothing_half_done(db: Database) -> None:
    retro_id = start(db)
    with field_error(match="empty"):
        add(db, retro_id, ALICE, "   \n ")
    with field_error(match="1,000 characters"):
        add(db, retro_id, ALICE, "x" * 1001)
    with field_error(match="prompt"):
        add(db, retro_id, ALICE, "ok", prompt=7)
    with db.unit_of_work() as session:
        assert session.scalar(select(RetroItem)) is None


def test_ids_from_another_workspace_are_not_found(db: Database) -> None:
    retro_id = start(db)
    with pytest.raises(RetroNotFound), db.unit_of_work() as session:
        add_item(
            session,
            team_id=OTHER_TEAM,
            retro_id=retro_id,
            user_id=ALICE,
            prompt_index=0,
            text="sneaky",
            anonymous=False,
            now=NOW,
        )


def test_votes_are_limited_private_and_forgotten_at_close(db: Database) -> None:
    retro_id = start(db, votes_per_person=2)
    items = [add(db, retro_id, BOB, f"Item {n}") for n in range(3)]
    with db.unit_of_work() as session:
        for item in items[:2]:
            toggle_vote(session, team_id=TEAM, retro_id=retro_id, item_id=item, user_id=ALICE, app_secret=SECRET)
        state = toggle_vote(
            session, team_id=TEAM, retro_id=retro_id, item_id=items[2], user_id=ALICE, app_secret=SECRET
        )
        assert state.mine == frozenset(items[:2]) and state.left == 0
        assert "used all 2" in state.notice
        # Taking one back frees a vote.
        state = toggle_vote(
            session, team_id=TEAM, retro_id=retro_id, item_id=items[0], user_id=ALICE, app_secret=SECRET
        )
        assert state.mine == frozenset({items[1]}) and state.left == 1
        toggle_vote(session, team_id=TEAM, retro_id=retro_id, item_id=items[1], user_id=BOB, app_secret=SECRET)
        bob = vote_state(session, team_id=TEAM, retro_id=retro_id, user_id=BOB, app_secret=SECRET)
        assert bob.mine == frozenset({items[1]})
        assert all(i.votes == 0 and i.author_id is None for i in bob.items)  # no totals, no names
        card = retro_card(session, get_retro(session, TEAM, retro_id))
    item_sections = [b["text"]["text"] for b in build_retro_message(card)["blocks"] if "Item 1" in str(b)]
    assert item_sections and all("vote" not in text.lower() for text in item_sections)  # no counts while open
    assert rows_mentioning(db.engine, ALICE) == []  # voters are hashed
    summary = close(db, retro_id)
    assert [(i.text, i.votes) for i in summary.items] == [("Item 1", 2), ("Item 0", 0), ("Item 2", 0)]
    with db.unit_of_work() as session:
        assert session.scalar(select(RetroVote)) is None
        retro = session.get(Retro, retro_id)
        assert retro is not None and retro.secret_salt is None and retro.status == RetroStatus.CLOSED
        assert session.scalar(select(Schedule).where(Schedule.kind == JobKind.CLOSE)) is None
        with pytest.raises(RetroError, match="closed"):
            toggle_vote(session, team_id=TEAM, retro_id=retro_id, item_id=items[0], user_id=ALICE, app_secret=SECRET)
        keys = [r.key for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert keys[-2:] == [f"retro:{retro_id}:update:closed", f"retro:{retro_id}:summary"]


def rate(db: Database, retro_id: int, user: str, side: Side, trust: int, ownership: int, planning: int) -> None:
    with db.unit_of_work() as session:
        save_rating(
            session,
            team_id=TEAM,
            retro_id=retro_id,
            user_id=user,
            side=side,
            scores={Strand.TRUST: trust, Strand.OWNERSHIP: ownership, Strand.PLANNING: planning},
            focus=Strand.PLANNING,
            app_secret=SECRET,
            now=NOW,
        )


def test_partnership_health_averages_by_side_and_their_change(db: Database) -> None:
    first = start(db, template=RetroTemplate.PARTNERSHIP, prompts=list(TEMPLATES[RetroTemplate.PARTNERSHIP].prompts))
    rate(db, first, "UPROD00001", Side.PRODUCT, 3, 2, 2)
    rate(db, first, "UPROD00002", Side.PRODUCT, 4, 3, 2)
    rate(db, first, "UMARK00001", Side.MARKETING, 2, 2, 1)
    rate(db, first, "UMARK00001", Side.MARKETING, 3, 2, 1)  # a second rating replaces the first
    rate(db, first, "UMARK00002", Side.MARKETING, 3, 3, 2)
    rate(db, first, "UOTHER0001", Side.OTHER, 5, 5, 5)
    summary = close(db, first)
    assert summary.health is not None
    sides = {s.side: s for s in summary.health.sides}
    assert sides[Side.PRODUCT].averages == {Strand.TRUST: 3.5, Strand.OWNERSHIP: 2.5, Strand.PLANNING: 2.0}
    assert sides[Side.MARKETING].raters == 2 and sides[Side.MARKETING].averages[Strand.TRUST] == 3.0  # type: ignore[index]
    assert sides[Side.OTHER].averages is None  # one rater: hidden
    assert sides[Side.PRODUCT].change is None  # nothing to compare with yet
    assert summary.health.focus_counts[Strand.PLANNING] == 5

    with db.unit_of_work() as session:
        series = get_series(session, TEAM, get_retro(session, TEAM, first).series_id)
        second = open_retro(session, series, NOW + timedelta(days=14)).id
    rate(db, second, "UPROD00001", Side.PRODUCT, 4, 3, 3)
    rate(db, second, "UPROD00002", Side.PRODUCT, 4, 4, 3)
    rate(db, second, "UMARK00001", Side.MARKETING, 3, 3, 2)
    rate(db, second, "UMARK00002", Side.MARKETING, 3, 3, 2)
    summary = close(db, second, NOW + timedelta(days=15))
    assert summary.health is not None and summary.health.previous_number == 1
    sides = {s.side: s for s in summary.health.sides}
    assert sides[Side.PRODUCT].change == {Strand.TRUST: 0.5, Strand.OWNERSHIP: 1.0, Strand.PLANNING: 1.0}
    assert sides[Side.MARKETING].change == {Strand.TRUST: 0.0, Strand.OWNERSHIP: 0.5, Strand.PLANNING: 0.5}
    text = str(build_summary_message(summary)["blocks"])
    assert "Trust and respect 4.0 (▲0.5)" in text and "Trust and respect 3.0 (±0)" in text
    with db.unit_of_work() as session:
        with pytest.raises(RetroError, match="closed"):
            rating_form(session, team_id=TEAM, retro_id=second, user_id="UMARK00001")
        third = open_retro(session, series, NOW + timedelta(days=28))
        assert rating_form(session, team_id=TEAM, retro_id=third.id, user_id="UMARK00001").side is Side.MARKETING
        assert rating_form(session, team_id=TEAM, retro_id=third.id, user_id="UNEW000001").side is None
    assert rows_mentioning(db.engine, "UPROD00001") == [("retro_person_sides", "user_id", "UPROD00001")]


def test_only_the_facilitator_or_an_admin_closes(db: Database) -> None:
    retro_id = start(db)
    with pytest.raises(NotAllowed), db.unit_of_work() as session:
        close_retro_by_user(session, team_id=TEAM, retro_id=retro_id, user_id=ALICE, is_admin=lambda: False, now=NOW)
    with db.unit_of_work() as session:
        close_retro_by_user(session, team_id=TEAM, retro_id=retro_id, user_id=ALICE, is_admin=lambda: True, now=NOW)
    with pytest.raises(RetroError, match="already closed"), db.unit_of_work() as session:
        close_retro_by_user(
            session, team_id=TEAM, retro_id=retro_id, user_id=FACILITATOR, is_admin=lambda: False, now=NOW
        )


def test_close_by_title(db: Database) -> None:
    start(db)
    with pytest.raises(RetroError, match="couldn't find"), db.unit_of_work() as session:
        close_by_title(session, team_id=TEAM, title="Autumn", user_id=FACILITATOR, is_admin=lambda: False, now=NOW)
    with db.unit_of_work() as session:
        _series, summary = close_by_title(
            session, team_id=TEAM, title="spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
        )
        assert summary.title == "Spring launch"


def test_action_items_dm_remind_complete_and_carry_to_the_next_retro(db: Database) -> None:
    retro_id = start(db)
    item = add(db, retro_id, ALICE, "Share the launch brief a week earlier")
    close(db, retro_id)
    with db.unit_of_work() as session:
        with pytest.raises(NotAllowed):
            add_action_item(
                session,
                team_id=TEAM,
                retro_id=retro_id,
                user_id=ALICE,
                is_admin=lambda: False,
                text="",
                owner_id=BOB,
                owner_tz="America/New_York",
                due_on=date(2026, 3, 27),
                item_id=item,
                now=NOW,
            )
        with field_error(match="passed"):
            add_action_item(
                session,
                team_id=TEAM,
                retro_id=retro_id,
                user_id=FACILITATOR,
                is_admin=lambda: False,
                text="",
                owner_id=BOB,
                owner_tz="America/New_York",
                due_on=date(2026, 3, 1),
                item_id=item,
                now=NOW,
            )
        action = add_action_item(
            session,
            team_id=TEAM,
            retro_id=retro_id,
            user_id=FACILITATOR,
            is_admin=lambda: False,
            text="",
            owner_id=BOB,
            owner_tz="America/New_York",
            due_on=date(2026, 3, 27),
            item_id=item,
            now=NOW,
        )
        assert action.text == "Share the launch brief a week earlier"
        dm = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"retro:action:{action.id}:assigned"))
        assert dm is not None and dm.args["channel"] == BOB
        reminder = session.scalar(select(Schedule).where(Schedule.kind == JobKind.ACTION_REMINDER))
        assert reminder is not None
        assert reminder.next_run_at == datetime(2026, 3, 26, 13, 0, tzinfo=UTC)  # 09:00 EDT the day before
        assert [a.id for a in list_open_action_items(session, TEAM, BOB)] == [action.id]
        assert list_open_action_items(session, OTHER_TEAM, BOB) == []

        moved = reschedule_action_item(
            session, team_id=TEAM, action_id=action.id, user_id=BOB, due_on=date(2026, 4, 3), now=NOW
        )
        assert moved.due_on == date(2026, 4, 3)
        reminders = list(session.scalars(select(Schedule).where(Schedule.kind == JobKind.ACTION_REMINDER)))
        assert [r.next_run_at for r in reminders] == [datetime(2026, 4, 2, 13, 0, tzinfo=UTC)]
        with pytest.raises(NotAllowed):
            complete_action_item(session, team_id=TEAM, action_id=action.id, user_id=ALICE, now=NOW)
        done = complete_action_item(session, team_id=TEAM, action_id=action.id, user_id=BOB, now=NOW)
        assert done.status is ActionStatus.DONE
        assert session.scalar(select(Schedule).where(Schedule.kind == JobKind.ACTION_REMINDER)) is None
        assert list_open_action_items(session, TEAM, BOB) == []

        series = get_series(session, TEAM, get_retro(session, TEAM, retro_id).series_id)
        nxt = open_retro(session, series, NOW + timedelta(days=14))
        card = retro_card(session, nxt)
    assert [(a.text, a.status) for a in card.previous_actions] == [
        ("Share the launch brief a week earlier", ActionStatus.DONE)
    ]
    assert "Last time's action items" in str(build_retro_message(card)["blocks"])

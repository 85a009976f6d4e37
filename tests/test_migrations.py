"""Migrations against data, on SQLite and PostgreSQL: upgrade from an older revision with rows in
place, ``alembic check`` against the models, and downgrade.

Revision 0007 keys existing stand-up names and retro titles (``bot.slack.text.name_key``) and, on
SQLite, copies both tables to make the key NOT NULL: rows referencing them through ``ON DELETE
CASCADE`` must survive that copy (``bot.migrate.migration_connection``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.db import Database
from bot.migrate import alembic_config, migration_connection
from bot.retro import series as retro_series
from bot.settings import normalize_database_url
from bot.standup import lookups as standup_lookups
from tests.support.databases import PostgresAdmin, unique_name

TEAM = "T0MIGRATE1"
AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database (no migrations applied)."""
    if request.param == "sqlite":
        db = Database.from_url(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield db
        db.dispose()
        return
    admin: PostgresAdmin = request.getfixturevalue("postgres_admin")
    name = unique_name("migrations")
    db = Database.from_url(normalize_database_url(admin.create(name)))
    try:
        yield db
    finally:
        db.dispose()
        admin.drop(name)


def alembic(db: Database, run: Callable[[Config], None]) -> None:
    """Run an Alembic command on ``db`` the way ``tandem migrate`` does."""
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with migration_connection(db.engine) as connection:
        config.attributes["connection"] = connection
        run(config)


def insert(db: Database, table: str, **values: Any) -> int:
    """Insert into the schema as it is now (reflected), not as the models describe it."""
    with db.engine.begin() as connection:
        reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
        key = connection.execute(reflected.insert().values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])


def column_values(db: Database, table: str, *columns: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
        query = sa.select(*(reflected.c[c] for c in columns)).order_by(reflected.c.id)
        return [tuple(row) for row in connection.execute(query)]


def count(db: Database, table: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def seed_0006(db: Database) -> dict[str, int]:
    """Stand-ups and retro series as a 0006 database holds them, with rows that reference them."""
    standup = dict(
        team_id=TEAM, channel_id="C1", owner_id="U1", weekdays="0,1,2,3,4", local_time="09:30", zone_mode="fixed",
        timezone="UTC", questions={"all": ["?"]}, blocker_question="?", usergroups={}, reminder_minutes=0,
        open_minutes=480, prefill=False, paused=False, created_at=AT, updated_at=AT,
    )  # fmt: skip
    series = dict(
        team_id=TEAM, channel_id="C1", facilitator_id="U1", template="start_stop_continue", prompts=["?"],
        anonymity="optional", votes_per_person=3, collect_minutes=60, include_insights=False, start_mode="now",
        timezone="UTC", repeat_weeks=1, paused=False, archived=False, created_at=AT,
    )  # fmt: skip
    ids = {
        "équipe": insert(db, "standups", name="Équipe Produit", **standup),
        # Only differs in case: allowed before 0007 (SQL lower() left É alone), so keys may clash.
        "ÉQUIPE": insert(db, "standups", name="ÉQUIPE PRODUIT", **standup),
        "straße": insert(db, "standups", name="Straße", **standup),
        "rétro": insert(db, "retro_series", title="Rétro d'été", **series),
        "launch": insert(db, "retro_series", title="Launch  review", **series),
    }
    insert(
        db, "standup_participants", team_id=TEAM, standup_id=ids["équipe"], user_id="U1", side="product",
        timezone="UTC", name="Pat", active=True, joined_at=AT,
    )  # fmt: skip
    insert(
        db, "retros", team_id=TEAM, series_id=ids["rétro"], number=1, status="open", channel_id="C1", prompts=["?"],
        anonymity="optional", votes_per_person=3, opened_at=AT, closes_at=AT,
    )  # fmt: skip
    return ids


def test_0007_keys_existing_names_keeps_referencing_rows_and_downgrades(empty_db: Database) -> None:
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    ids = seed_0006(db)

    alembic(db, lambda config: command.upgrade(config, "head"))
    assert column_values(db, "standups", "name", "name_key") == [
        ("Équipe Produit", "équipe produit"),
        ("ÉQUIPE PRODUIT", "équipe produit"),
        ("Straße", "strasse"),
    ]
    assert column_values(db, "retro_series", "title", "title_key") == [
        ("Rétro d'été", "rétro d'été"),
        ("Launch  review", "launch review"),
    ]
    # The SQLite table copy must not cascade-delete what references the copied tables.
    assert (count(db, "standup_participants"), count(db, "retros")) == (1, 1)
    alembic(db, command.check)  # the migrated schema is what the models describe

    with db.unit_of_work() as session:
        found = standup_lookups.find_by_name(session, TEAM, "équipe  produit")
        assert found is not None and found.id == ids["équipe"]  # clashing keys: the oldest wins
        found = standup_lookups.find_by_name(session, TEAM, "STRASSE")
        assert found is not None and found.id == ids["straße"]
        form = retro_series.edit_form(
            session, team_id=TEAM, user_id="U1", is_admin=lambda: False, title="LAUNCH review"
        )
        assert form.series_id == ids["launch"]

    alembic(db, lambda config: command.downgrade(config, "0006"))
    with db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert "name_key" not in {c["name"] for c in inspector.get_columns("standups")}
        assert "title_key" not in {c["name"] for c in inspector.get_columns("retro_series")}
    assert (count(db, "standups"), count(db, "retro_series")) == (3, 2)
    assert (count(db, "standup_participants"), count(db, "retros")) == (1, 1)

    alembic(db, lambda config: command.upgrade(config, "head"))  # and back up again
    assert [key for (key,) in column_values(db, "retro_series", "title_key")] == ["rétro d'été", "launch review"]


def test_0009_records_who_chose_an_external_channel_and_downgrades(empty_db: Database) -> None:
    """Expand only: rows from 0008 keep working; outbox rows default to "nobody chose an external
    channel" (the safe answer), rituals to "nobody confirmed"."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    ids = seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0008"))
    outbox_id = insert(
        db, "outbox", team_id=TEAM, key="k1", method="chat.postMessage", args={"channel": "C1"}, depends_on=[],
        channel="C1", status="pending", attempts=0, next_attempt_at=AT, created_at=AT, updated_at=AT,
    )  # fmt: skip

    alembic(db, lambda config: command.upgrade(config, "0009"))
    assert column_values(db, "outbox", "id", "allow_external") == [(outbox_id, False)]
    assert column_values(db, "standups", "external_confirmed_by", "external_confirmed_at") == [(None, None)] * 3
    assert column_values(db, "retro_series", "external_confirmed_by") == [(None,), (None,)]

    # Through today's models, as test_0007 does: at head (0011 added stand-up columns these rows get
    # by default), then back down.
    alembic(db, lambda config: command.upgrade(config, "head"))
    with db.unit_of_work() as session:
        found = standup_lookups.find_by_name(session, TEAM, "straße")
        assert found is not None and found.id == ids["straße"] and found.external_confirmed_by is None

    alembic(db, lambda config: command.downgrade(config, "0008"))
    with db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert "allow_external" not in {c["name"] for c in inspector.get_columns("outbox")}
        for table in ("standups", "retro_series", "digests"):
            assert "external_confirmed_by" not in {c["name"] for c in inspector.get_columns(table)}
        assert "thread_reply_by" not in {c["name"] for c in inspector.get_columns("insight_status_changes")}
    assert (count(db, "outbox"), count(db, "standups"), count(db, "retro_series")) == (1, 3, 2)


GOAL_TABLES = ("goals", "goal_owners", "goal_values", "goal_rounds", "goal_prompts", "goal_checkins")


def test_0010_adds_the_goal_tables_and_downgrades(empty_db: Database) -> None:
    """Expand only: 0009's rows are untouched; a goal with an owner, a value and a check-in round
    trips; downgrading drops the six tables and nothing else."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0010"))
    goal_id = insert(
        db, "goals", team_id=TEAM, title="Lift trial-to-paid", why="", kind="target", metric_name="trial-to-paid",
        unit="percent", unit_label="", direction="up", baseline=4.0, target=6.0, due_on=AT.date(),
        visibility_only=False, channel_id="C1", version=0, cadence="biweekly", weekday=0,
        local_time=AT.time().replace(microsecond=0), starts_on=AT.date(), status="active", pull_url="",
        pull_pointer="", learning="", created_by="U1", created_at=AT, updated_at=AT,
    )  # fmt: skip
    insert(db, "goal_owners", team_id=TEAM, goal_id=goal_id, user_id="U1", side="product")
    insert(
        db, "goal_values", team_id=TEAM, goal_id=goal_id, value=4.5, measured_at=AT, source="push", note="",
        recorded_by="", dedupe_key="k", created_at=AT,
    )  # fmt: skip
    assert column_values(db, "goals", "id", "baseline", "target") == [(goal_id, 4.0, 6.0)]
    assert count(db, "standups") == 3

    alembic(db, lambda config: command.downgrade(config, "0009"))
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert not tables & set(GOAL_TABLES)
    assert (count(db, "standups"), count(db, "retro_series")) == (3, 2)
    alembic(db, lambda config: command.upgrade(config, "head"))  # and back up again
    alembic(db, command.check)  # the migrated schema is what the models describe


def test_0011_adds_holidays_and_escalations_and_downgrades(empty_db: Database) -> None:
    """Expand only: 0010's stand-ups get "escalate after 2 working days" and their prompts no
    holiday; a person's calendar, a company day off and an escalation round-trip (the escalation
    unique per ask); downgrading drops exactly what 0011 added."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    ids = seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0011"))
    assert column_values(db, "standups", "escalate_after_days") == [(2,)] * 3
    insert(db, "holiday_calendars", team_id=TEAM, user_id="U1", country="DE", subdivision="BE", updated_by="U1",
           updated_at=AT)  # fmt: skip
    insert(db, "company_days_off", team_id=TEAM, day=AT.date(), name="Offsite", created_by="U1", created_at=AT)
    standup_id = ids["straße"]
    insert(db, "standup_escalations", team_id=TEAM, standup_id=standup_id, kind="ask", ref_id=7, owner_id="U1",
           target_user="U2", raised_at=AT)  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):
        insert(db, "standup_escalations", team_id=TEAM, standup_id=standup_id, kind="ask", ref_id=7, owner_id="U1",
               target_user="U2", raised_at=AT)  # fmt: skip
    assert column_values(db, "company_days_off", "day", "name") == [(AT.date(), "Offsite")]

    alembic(db, lambda config: command.downgrade(config, "0010"))
    with db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert not {"holiday_calendars", "company_days_off", "standup_escalations"} & set(inspector.get_table_names())
        assert "escalate_after_days" not in {c["name"] for c in inspector.get_columns("standups")}
        assert "holiday" not in {c["name"] for c in inspector.get_columns("standup_prompts")}
    assert count(db, "standups") == 3
    alembic(db, lambda config: command.upgrade(config, "head"))
    alembic(db, command.check)


def test_0012_adds_the_summary_tables_and_downgrades(empty_db: Database) -> None:
    """Expand only: earlier rows are untouched; a switch row and a stored summary round-trip (one
    per ritual and ref); downgrading to 0011 drops the two tables and nothing else."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0012"))
    with db.engine.begin() as connection:  # keyed by team_id (a string), so not through insert()
        switches = sa.Table("summary_settings", sa.MetaData(), autoload_with=connection)
        connection.execute(switches.insert().values(team_id=TEAM, enabled=False, changed_by="U1", changed_at=AT))
    insert(
        db, "ritual_summaries", team_id=TEAM, ritual="standup", ref_id="7", sentences="One.\nTwo.",
        source="model", created_at=AT,
    )  # fmt: skip
    with pytest.raises(sa.exc.IntegrityError):
        insert(
            db, "ritual_summaries", team_id=TEAM, ritual="standup", ref_id="7", sentences="Again.",
            source="extractive", created_at=AT,
        )  # fmt: skip
    with db.engine.connect() as connection:
        switch = connection.execute(sa.text("SELECT team_id, enabled FROM summary_settings")).all()
    assert [(team, bool(enabled)) for team, enabled in switch] == [(TEAM, False)]
    assert column_values(db, "ritual_summaries", "ritual", "sentences") == [("standup", "One.\nTwo.")]
    assert count(db, "standups") == 3

    alembic(db, lambda config: command.downgrade(config, "0011"))
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert not tables & {"summary_settings", "ritual_summaries"}
    assert {"goals", "holiday_calendars"} <= tables and (count(db, "standups"), count(db, "retro_series")) == (3, 2)
    alembic(db, lambda config: command.upgrade(config, "head"))
    alembic(db, command.check)


def test_0013_links_a_retro_series_to_a_goal_and_downgrades(empty_db: Database) -> None:
    """Expand only: existing series get no goal; a series can name one; downgrading drops the
    column and keeps every series."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0010"))
    alembic(db, lambda config: command.upgrade(config, "0013"))
    assert column_values(db, "retro_series", "goal_id") == [(None,), (None,)]
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE retro_series SET goal_id = 42"))
    assert column_values(db, "retro_series", "goal_id") == [(42,), (42,)]

    alembic(db, lambda config: command.downgrade(config, "0012"))
    with db.engine.connect() as connection:
        assert "goal_id" not in {c["name"] for c in sa.inspect(connection).get_columns("retro_series")}
    assert count(db, "retro_series") == 2
    alembic(db, lambda config: command.upgrade(config, "head"))
    alembic(db, command.check)


LAUNCH_TABLES = ("launches", "launch_phases", "launch_items", "launch_goals", "launch_notices")


def test_0014_adds_the_launch_tables_and_downgrades(empty_db: Database) -> None:
    """Expand only: earlier rows are untouched; a launch with a phase, an item, a success-metric
    goal and a notice round-trips; one submission saves one launch and a notice key is unique per
    workspace; deleting the launch takes its rows with it; downgrading to 0013 drops the five
    tables and nothing else."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0014"))
    goal_id = insert(
        db, "goals", team_id=TEAM, title="Lift trial-to-paid", why="", kind="target", metric_name="trial-to-paid",
        unit="percent", unit_label="", direction="up", baseline=4.0, target=6.0, due_on=AT.date(),
        visibility_only=False, channel_id="C1", version=0, cadence="biweekly", weekday=0,
        local_time=AT.time().replace(microsecond=0), starts_on=AT.date(), status="active", pull_url="",
        pull_pointer="", learning="", created_by="U1", created_at=AT, updated_at=AT,
    )  # fmt: skip
    launch = dict(
        team_id=TEAM, name="Shared inbox", what="For support teams", kind="staggered", status="planned",
        product_lead="U1", marketing_lead="U3", channel_id="C1", timezone="Europe/Berlin", version=0,
        create_view_id="V1", created_by="U1", created_at=AT, updated_at=AT,
    )  # fmt: skip
    launch_id = insert(db, "launches", **launch)
    with pytest.raises(sa.exc.IntegrityError):
        insert(db, "launches", **launch)  # the same modal submitted twice
    phase_id = insert(
        db, "launch_phases", team_id=TEAM, launch_id=launch_id, position=0, name="Beta", audience="partners",
        launch_on=AT.date(), decision_reason="",
    )  # fmt: skip
    insert(
        db, "launch_items", team_id=TEAM, launch_id=launch_id, phase_id=phase_id, template_key="docs", kind="task",
        title="Docs", side="product", owner_id="U1", offset_days=-7, due_on=AT.date(), status="open",
        blocked_reason="", was_late=False, created_at=AT, updated_at=AT,
    )  # fmt: skip
    insert(db, "launch_goals", team_id=TEAM, launch_id=launch_id, goal_id=goal_id)
    notice = dict(team_id=TEAM, launch_id=launch_id, key=f"cancelled:{launch_id}:U3", user_id="U3", channel_id="",
                  created_at=AT)  # fmt: skip
    insert(db, "launch_notices", **notice)
    with pytest.raises(sa.exc.IntegrityError):
        insert(db, "launch_notices", **notice)  # a DM goes once
    assert column_values(db, "launch_items", "offset_days", "due_on") == [(-7, AT.date())]
    assert column_values(db, "launch_goals", "goal_id") == [(goal_id,)]
    with db.engine.begin() as connection:  # ON DELETE CASCADE (SQLite: foreign keys on, bot.db)
        connection.execute(sa.text("DELETE FROM launches"))
    assert [count(db, table) for table in LAUNCH_TABLES] == [0, 0, 0, 0, 0]
    assert count(db, "goals") == 1

    alembic(db, lambda config: command.downgrade(config, "0013"))
    with db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
    assert not tables & set(LAUNCH_TABLES)
    assert {"goals", "summary_settings"} <= tables and (count(db, "standups"), count(db, "retro_series")) == (3, 2)
    alembic(db, lambda config: command.upgrade(config, "head"))
    alembic(db, command.check)


def test_0015_gives_retro_series_opening_notes_and_downgrades(empty_db: Database) -> None:
    """Expand only: existing series open with no notes; a series can hold notes (JSON, read back
    as written); downgrading drops the column and keeps every series."""
    db = empty_db
    alembic(db, lambda config: command.upgrade(config, "0006"))
    seed_0006(db)
    alembic(db, lambda config: command.upgrade(config, "0015"))
    assert column_values(db, "retro_series", "opening_notes") == [(None,), (None,)]
    notes = [{"title": "Late on the checklist", "lines": ["Docs — due 2027-01-04, done late"]}]
    table = sa.Table("retro_series", sa.MetaData(), sa.Column("opening_notes", sa.JSON()))
    with db.engine.begin() as connection:
        connection.execute(sa.update(table).values(opening_notes=notes))
    with db.engine.connect() as connection:
        stored = [row[0] for row in connection.execute(sa.select(table.c.opening_notes))]
    assert stored == [notes, notes]

    alembic(db, lambda config: command.downgrade(config, "0014"))
    with db.engine.connect() as connection:
        assert "opening_notes" not in {c["name"] for c in sa.inspect(connection).get_columns("retro_series")}
    assert count(db, "retro_series") == 2
    alembic(db, lambda config: command.upgrade(config, "head"))
    alembic(db, command.check)

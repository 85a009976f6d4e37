"""``tandem export goals --format csv|json`` through the real CLI, on SQLite and PostgreSQL: every
goal with its yardstick, owners, values and check-ins; CSV and JSON agree field for field; one
workspace's export never holds another's goals; secrets never leave; errors are one line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.db import Database
from bot.goals.export import FIELDS, from_csv_row
from bot.goals.ids import Confidence, Kind, Outcome
from tests.goals.conftest import NOW, OTHER_TEAM, TEAM
from tests.goals.helpers import add_value, check_in, close, make_goal
from tests.support.botproc import run_tandem
from tests.test_cli import base_env


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def _seed(db: Database) -> tuple[int, int, int]:
    with db.unit_of_work() as session:
        goal = make_goal(session, at=NOW, title='Lift "trial", conversion\nfor <SMB> 🚀', why="Line one\r\nline two")
        check_in(session, goal, 4.5, Confidence.AT_RISK, NOW + timedelta(days=14), note="Slow, but moving")
        add_value(session, goal, 4.75, NOW + timedelta(days=20))
        goal.push_token_hash = "f" * 64
        goal.pull_token = "sealed-secret-pull-token"
        kpi = make_goal(
            session, at=NOW, title="Keep churn low", kind=Kind.KPI,
            target=None, due_on=None, range_low=None, range_high=2.5,
        )  # fmt: skip
        close(session, kpi, Outcome.PARTLY, NOW + timedelta(days=30), learning="Annual plans helped")
        theirs = make_goal(session, at=NOW, team_id=OTHER_TEAM, title="Another workspace's secret goal")
        check_in(session, theirs, 9.0, Confidence.ON_TRACK, NOW + timedelta(days=1), note="their note")
        return goal.id, kpi.id, theirs.id


def _tandem(database_url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = base_env(tmp_path, DATABASE_URL=database_url)
    env.update({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    result = run_tandem(*args, env=env, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


def test_csv_and_json_round_trip_every_goal_of_one_workspace(db: Database, database_url: str, tmp_path: Path) -> None:
    goal_id, kpi_id, theirs_id = _seed(db)
    target = tmp_path / "goals.csv"
    status, _, err = _tandem(
        database_url, tmp_path, "export", "goals", "--format", "csv", "--team", TEAM, "-o", str(target)
    )
    assert status == 0 and err.strip() == "exported 2 goal(s)", err
    raw = target.read_bytes().decode("utf-8")
    assert raw.startswith(",".join(FIELDS) + "\r\n")
    rows = [from_csv_row(r) for r in csv.DictReader(io.StringIO(raw, newline=""))]

    status, out, err = _tandem(database_url, tmp_path, "export", "goals", "--format", "json", "--team", TEAM)
    assert status == 0, err
    from_json = json.loads(out)
    assert rows == from_json  # every field, exactly, both ways
    assert [r["id"] for r in rows] == [goal_id, kpi_id]

    goal, kpi = rows
    assert goal["title"] == 'Lift "trial", conversion\nfor <SMB> 🚀' and goal["why"] == "Line one\r\nline two"
    assert (goal["baseline"], goal["target"], goal["due_on"], goal["unit"]) == (4.0, 6.0, "2027-03-31", "percent")
    assert goal["owners"] == [{"user": "U0PRODUCT1", "side": "product"}, {"user": "U0MARKET01", "side": "marketing"}]
    assert [(v["value"], v["source"]) for v in goal["values"]] == [(4.5, "checkin"), (4.75, "push")]
    assert [(c["value"], c["confidence"], c["note"]) for c in goal["checkins"]] == [
        (4.5, "at_risk", "Slow, but moving")
    ]
    assert goal["has_push_token"] is True
    assert (kpi["kind"], kpi["target"], kpi["range_high"], kpi["status"], kpi["outcome"]) == (
        "kpi", None, 2.5, "closed", "partly"
    )  # fmt: skip
    assert kpi["learning"] == "Annual plans helped" and kpi["closed_at"].endswith("Z")
    # Tenancy: another workspace's goal, values and notes never appear; secrets never leave.
    assert (
        "Another workspace" not in raw
        and "their note" not in raw
        and str(theirs_id) not in {str(r["id"]) for r in rows}
    )
    assert "sealed-secret-pull-token" not in raw + out and "f" * 64 not in raw + out


def test_without_a_team_every_workspace_is_exported(db: Database, database_url: str, tmp_path: Path) -> None:
    _seed(db)
    status, out, err = _tandem(database_url, tmp_path, "export", "goals", "--format", "json")
    assert status == 0 and err.strip() == "exported 3 goal(s)"
    assert {r["team_id"] for r in json.loads(out)} == {TEAM, OTHER_TEAM}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_errors_are_one_line(db: Database, database_url: str, tmp_path: Path) -> None:
    status, out, err = _tandem(
        database_url, tmp_path, "export", "goals", "-o", str(tmp_path / "no" / "such" / "goals.csv")
    )
    assert status == 1 and out == ""
    assert err.strip().splitlines() == [
        f"tandem: could not write {tmp_path / 'no' / 'such' / 'goals.csv'}: No such file or directory"
    ]
    status, out, err = _tandem(database_url, tmp_path, "export", "goals", "--format", "xml")
    assert status == 2 and "Traceback" not in err and "invalid choice: 'xml'" in err

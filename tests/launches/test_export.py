"""``tandem export launches --format csv|json`` through the real CLI, on SQLite and PostgreSQL:
every checklist item of every launch with its dates and state; CSV and JSON agree field for
field; one workspace's export never holds another's launches; errors are one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.db import Database
from bot.launches import plan
from bot.launches.export import FIELDS, from_csv_row
from bot.launches.ids import ItemStatus
from tests.launches.conftest import NOW, OTHER_TEAM, PRODUCT_LEAD, TEAM, TODAY, ZONES, launch_input, staggered_input
from tests.support.botproc import run_tandem
from tests.test_cli import base_env


def _seed(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as session:
        ours = plan.create_launch(
            session, team_id=TEAM, data=staggered_input(name='Shared "inbox", for <teams>\n🚀'),
            created_by=PRODUCT_LEAD, today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        items = {i.template_key: i for i in ours.items}
        items["docs"].status, items["docs"].was_late = ItemStatus.DONE.value, True
        items["docs"].done_by, items["docs"].done_at = PRODUCT_LEAD, NOW + timedelta(days=30)
        items["pricing"].status, items["pricing"].blocked_reason = ItemStatus.BLOCKED.value, "Legal, again"
        items["enablement"].status = ItemStatus.DROPPED.value
        theirs = plan.create_launch(
            session, team_id=OTHER_TEAM, data=launch_input(name="Another workspace's secret launch"),
            created_by=PRODUCT_LEAD, today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        return ours.id, theirs.id


def _tandem(database_url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = base_env(tmp_path, DATABASE_URL=database_url)
    env.update({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    result = run_tandem(*args, env=env, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


def test_csv_and_json_round_trip_every_item_of_one_workspace(database_url: str, tmp_path: Path, db: Database) -> None:
    launch_id, _ = _seed(db)
    target = tmp_path / "launches.csv"
    status, _, err = _tandem(
        database_url, tmp_path, "export", "launches", "--format", "csv", "--team", TEAM, "-o", str(target)
    )
    assert status == 0 and err.strip() == "exported 13 launch item(s)", err
    raw = target.read_bytes().decode("utf-8")
    assert raw.startswith(",".join(FIELDS) + "\r\n")
    rows = [from_csv_row(r) for r in csv.DictReader(io.StringIO(raw, newline=""))]

    status, out, err = _tandem(database_url, tmp_path, "export", "launches", "--format", "json", "--team", TEAM)
    assert status == 0, err
    assert rows == json.loads(out)  # every field, exactly, both ways
    assert {r["launch_id"] for r in rows} == {launch_id}
    assert rows[0]["launch_name"] == 'Shared "inbox", for <teams>\n🚀'
    assert [r["due_on"] for r in rows] == sorted(r["due_on"] for r in rows)  # by due date
    by_key = {(r["title"], r["phase"]): r for r in rows}
    docs = by_key[("Docs and release notes", "Beta")]
    assert (docs["status"], docs["was_late"], docs["done_by"], docs["offset"], docs["t"]) == (
        "done", True, PRODUCT_LEAD, -7, "T-7"
    )  # fmt: skip
    assert docs["due_on"] == "2027-01-04" and docs["done_at"] == "2027-01-06T08:00:00Z"
    assert docs["phase_on"] == "2027-01-11" and docs["launch_on"] == "2027-01-11"
    assert by_key[("Pricing and packaging confirmed", "Beta")]["blocked_reason"] == "Legal, again"
    assert by_key[("Sales enablement ready", "Beta")]["status"] == "dropped"
    ga = by_key[("GA: announcement", "GA")]
    assert (ga["phase_on"], ga["due_on"], ga["t"]) == ("2027-02-01", "2027-02-01", "T+0")
    retro = by_key[("Launch retro", "GA")]
    assert retro["due_on"] == (date(2027, 2, 1) + timedelta(days=14)).isoformat()
    assert retro["retro_series_id"] is not None
    assert "Another workspace" not in raw + out


def test_without_a_team_every_workspace_is_exported(database_url: str, tmp_path: Path, db: Database) -> None:
    _seed(db)
    status, out, err = _tandem(database_url, tmp_path, "export", "launches", "--format", "json")
    assert status == 0 and err.strip() == "exported 22 launch item(s)"
    assert {r["team_id"] for r in json.loads(out)} == {TEAM, OTHER_TEAM}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cli_errors_are_one_line(database_url: str, tmp_path: Path) -> None:
    status, out, err = _tandem(
        database_url, tmp_path, "export", "launches", "-o", str(tmp_path / "no" / "such" / "launches.csv")
    )
    assert status == 1 and out == ""
    assert err.strip().splitlines() == [
        f"tandem: could not write {tmp_path / 'no' / 'such' / 'launches.csv'}: No such file or directory"
    ]
    status, out, err = _tandem(database_url, tmp_path, "export", "launches", "--format", "xml")
    assert status == 2 and "Traceback" not in err and "invalid choice: 'xml'" in err

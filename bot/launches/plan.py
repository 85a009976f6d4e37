"""Making a launch plan: the launch, its phases, its success-metric goals, the checklist from
the template of its kind, and its message in the channel.

Services never hold a Slack client: who people are comes through ``Directory``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.goals.lookups import get_goal
from bot.launches import outbox, retro_link, timeline
from bot.launches.data import Block, Directory, LaunchError, LaunchInput, plan_items, problems
from bot.launches.ids import ItemStatus, LaunchStatus
from bot.launches.models import Launch, LaunchGoal, LaunchItem, LaunchPhase
from bot.slack.text import clean_text


def apply_input(launch: Launch, data: LaunchInput) -> None:
    """Copy what the modal holds onto the row (cleaned: control characters out, ends stripped)."""
    launch.name = clean_text(data.name)
    launch.what = clean_text(data.what)
    launch.kind = data.kind.value
    launch.product_lead = data.product_lead
    launch.marketing_lead = data.marketing_lead
    launch.channel_id = data.channel_id


def link_goals(session: Session, launch: Launch, goal_ids: tuple[int, ...]) -> None:
    """The launch's success metrics: only this workspace's goals (ids are input), each once."""
    wanted: list[int] = []
    for goal_id in goal_ids:
        if goal_id in wanted:
            continue
        if get_goal(session, launch.team_id, goal_id) is None:
            raise LaunchError("One of the picked goals no longer exists: pick again.", block_id=Block.GOALS)
        wanted.append(goal_id)
    by_goal = {link.goal_id: link for link in launch.goal_links}
    launch.goal_links = [by_goal.get(g) or LaunchGoal(team_id=launch.team_id, goal_id=g) for g in wanted]


def create_launch(
    session: Session,
    *,
    team_id: str,
    data: LaunchInput,
    created_by: str,
    today: date,
    now: datetime,
    directory: Directory,
    creator_tz: str,
    view_id: str | None = None,
    external_confirmed: bool = False,
) -> Launch:
    """Save a new launch with its phases and checklist (all or nothing), make its timers
    (``timeline.replan``) and post its message.

    ``today``: the creator's local date (dates are checked against it). A second submission of
    the same modal (``view_id``) returns the first launch.
    """
    if view_id:
        existing = session.scalar(select(Launch).where(Launch.team_id == team_id, Launch.create_view_id == view_id))
        if existing is not None:
            return existing
    found = problems(data, today=today)
    if found:
        block, message = next(iter(found.items()))
        raise LaunchError(message, block_id=block)
    launch = Launch(
        team_id=team_id,
        status=LaunchStatus.PLANNED.value,
        version=0,
        timezone=creator_tz,
        created_by=created_by,
        create_view_id=view_id,
        created_at=now,
        updated_at=now,
    )
    if external_confirmed:
        launch.external_confirmed_by = created_by
        launch.external_confirmed_at = now
    apply_input(launch, data)
    launch.phases = [
        LaunchPhase(
            team_id=team_id,
            position=index,
            name=clean_text(phase.name),
            audience=clean_text(phase.audience),
            launch_on=phase.launch_on,
            decision_reason="",
        )
        for index, phase in enumerate(data.phases)
    ]
    session.add(launch)
    link_goals(session, launch, data.goal_ids)
    session.flush()
    for planned in plan_items(data):
        session.add(
            LaunchItem(
                team_id=team_id,
                launch_id=launch.id,
                phase_id=launch.phases[planned.phase_index].id,
                template_key=planned.key,
                kind=planned.kind.value,
                title=planned.title,
                side=planned.side.value,
                owner_id=planned.owner_id,
                offset_days=planned.offset,
                due_on=planned.due_on,
                status=ItemStatus.OPEN.value,
                blocked_reason="",
                was_late=False,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    session.refresh(launch, ["items"])
    retro_link.schedule_retro(session, launch, now)
    timeline.replan(session, launch, directory, now)
    outbox.post_launch_message(session, launch, now)
    return launch

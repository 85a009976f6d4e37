"""Web API views.* methods: modals (open, push, update, at most 3 deep) and the Home tab (publish)."""

from __future__ import annotations

from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.slack_method_args import user_arg
from bot.playground.slack_rules import Problem
from bot.playground.workspace_state import ViewRecord, Workspace

MODAL_STACK_MAX = 3


def _views_open(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = em._check_view("views.open", ws, args.get("view"), "modal")
    trigger = em._use_trigger(ws, str(args.get("trigger_id") or ""))
    record = em._store_view(ws.team_id, trigger.user_id, view, "views.open")
    for old in em._stacks.get((ws.team_id, trigger.user_id), []):
        em._views[old].closed = True
    em._stacks[(ws.team_id, trigger.user_id)] = [record.id]
    return {"view": record.view}


def _views_push(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = em._check_view("views.push", ws, args.get("view"), "modal")
    trigger = em._use_trigger(ws, str(args.get("trigger_id") or ""))
    stack = em._stacks.setdefault((ws.team_id, trigger.user_id), [])
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MODAL_STACK_MAX:
        problem = Problem("push_limit_reached", "a modal holds at most 3 views")
        em._violate("views.push", ws.team_id, [problem], args)
        raise SlackError("push_limit_reached")
    record = em._store_view(ws.team_id, trigger.user_id, view, "views.push")
    record.view["previous_view_id"] = stack[-1]
    record.view["root_view_id"] = stack[0]
    stack.append(record.id)
    return {"view": record.view}


def _views_update(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    record: ViewRecord | None = None
    if args.get("view_id"):
        record = em._views.get(str(args["view_id"]))
    elif args.get("external_id"):
        record = next((v for v in em._views.values() if v.view.get("external_id") == args["external_id"]), None)
    else:
        raise SlackError("invalid_arguments")
    if record is None or record.team_id != ws.team_id:
        raise SlackError("not_found")
    view = em._check_view("views.update", ws, args.get("view"), record.type)
    if args.get("hash") and args["hash"] != record.view.get("hash"):
        raise SlackError("hash_conflict")
    updated = em._store_view(ws.team_id, record.user_id, view, "views.update", record.id)
    updated.closed = record.closed
    return {"view": updated.view}


def _views_publish(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = user_arg(ws, args.get("user_id"))
    view = em._check_view("views.publish", ws, args.get("view"), "home")
    key = (ws.team_id, user.id)
    current = em._homes.get(key)
    if args.get("hash") and current and args["hash"] != em._views[current].view.get("hash"):
        raise SlackError("hash_conflict")
    record = em._store_view(ws.team_id, user.id, view, "views.publish", current)
    em._homes[key] = record.id
    return {"view": record.view}


VIEW_METHODS: dict[str, Method] = {
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
}

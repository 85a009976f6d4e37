"""``POST /goals/<id>/values``: a system that holds a goal's number pushes it (a CRM workflow, an
analytics export, a cron job with curl). Served by ``bot.web`` through this feature's
``WebRoute`` in HTTP mode and, in Socket Mode, on the port that serves /healthz.

Answers (JSON, never a traceback):

- 201 ``{"id": <value id>, "goal_id": ..., "replayed": false}``: stored; 200 with
  ``"replayed": true``: the same request was stored before (see ``bot.goals.push`` for the rule);
- 400 ``{"error": "<reason>"}``: the body (or the Idempotency-Key, or a Content-Type other
  than application/json) cannot be taken, once the token is right;
- 401 ``{"error": "unauthorized"}``: no token, a wrong token, or no such goal: one answer for all
  (``WWW-Authenticate: Bearer``), nothing written;
- 404 for another path, 405 for another method, 409 when the goal is closed, 413 for a body over
  ``BODY_LIMIT`` (checked first), 422 for an Idempotency-Key
  reused with a different value.

One unit of work per request; "now" is ``services.clock()``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.feature import WebRoute
from bot.goals.data import GoalClosed
from bot.goals.push import PushProblem, PushRequest, parse_push
from bot.goals.values import KeyReused, Unauthorized, authenticate, bearer_token, push_value
from bot.services import Services
from bot.wsgi import BodyProblem, Environ, StartResponse, WSGIApp, json_response, read_body

log = logging.getLogger(__name__)

PREFIX = "/goals/"
PATH = re.compile(r"^/goals/([0-9]{1,18})/values/?$")
BODY_LIMIT = 8 * 1024  # bytes: a value and a note of up to 1,000 characters fit many times over
UNAUTHORIZED = {"error": "unauthorized"}


def values_endpoint(services: Services) -> WSGIApp:
    # SQLite: pushes queue on the database's write gate with the outbox drainer (see bot.db), so
    # the write lock passes between them at once; PostgreSQL: the goal's row lock orders values.
    gate = services.db.write_gate

    def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        match = PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return json_response(start_response, "404 Not Found", {"error": "not_found"})
        if environ.get("REQUEST_METHOD") != "POST":
            return json_response(start_response, "405 Method Not Allowed", {"error": "use POST"}, [("Allow", "POST")])
        token = bearer_token(environ.get("HTTP_AUTHORIZATION"))
        if token is None:
            return _unauthorized(start_response)
        content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        try:
            body = read_body(environ, BODY_LIMIT)
        except BodyProblem as problem:
            return json_response(start_response, problem.status, {"error": str(problem)})
        goal_id = int(match.group(1))
        now = services.clock()
        # Read before taking the gate (nothing of it needs the database); said after the token.
        push: PushRequest | PushProblem
        try:
            if content_type not in ("", "application/json"):
                raise PushProblem("send the body as application/json")
            push = parse_push(body, idempotency_key=environ.get("HTTP_IDEMPOTENCY_KEY"), now=now)
        except PushProblem as problem:
            push = problem
        try:
            with gate, services.db.unit_of_work() as session:
                goal = authenticate(session, goal_id, token)  # before the body: a wrong token is 401, always
                if isinstance(push, PushProblem):
                    raise push
                recorded = push_value(session, goal, push, now)
                answer = {"id": recorded.value.id, "goal_id": goal_id, "replayed": not recorded.created}
        except Unauthorized:
            return _unauthorized(start_response)
        except PushProblem as problem:
            return json_response(start_response, "400 Bad Request", {"error": str(problem)})
        except GoalClosed as error:
            return json_response(start_response, "409 Conflict", {"error": str(error)})
        except KeyReused as error:
            return json_response(start_response, "422 Unprocessable Content", {"error": str(error)})
        if recorded.current_changed:
            services.outbox_wakeup.set()  # the channel message's update is in the outbox
        log.info("goal %s: value %s %s", goal_id, answer["id"], "replayed" if not recorded.created else "stored")
        status = "201 Created" if recorded.created else "200 OK"
        return json_response(start_response, status, answer)

    return application


def _unauthorized(start_response: StartResponse) -> list[bytes]:
    return json_response(start_response, "401 Unauthorized", UNAUTHORIZED, [("WWW-Authenticate", "Bearer")])


WEB_ROUTES: tuple[WebRoute, ...] = (WebRoute(PREFIX, values_endpoint),)

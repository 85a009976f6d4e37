"""How Bolt runs Tandem's listeners: a failure after the ack never changes Slack's answer.

With ``process_before_response=False`` Bolt's ``ThreadListenerRunner.run`` submits the listener to
the executor and the HTTP thread polls ``ack.response`` every 10 ms for up to 3 s. When the
listener raises, the runner's ``except`` (slack_bolt 1.30 ``listener/thread_runner.py``) sees that
the request was already acknowledged, sets its ``response`` to ``None``, calls the error handler and
then does ``ack.response = response``: it *clears* the ack. What Slack gets then depends on where
the HTTP thread is in its poll:

* it saw the ack in the few microseconds before the clear: 200 (the ack);
* it saw the runner's transient ``BoltResponse(500)``: 500;
* it woke after the clear: ``ack.response`` and ``response`` are both ``None``, so the runner logs
  "did not call ack", returns ``None``, ``App.dispatch`` finds no other listener and answers
  **404 {"error": "unhandled request"}** (after up to 3 s if the clear came before the first poll).

A click whose ``views.open`` fails a few milliseconds after ``ack()`` lands in all three. The
runner below wraps each listener so that an exception raised *after* ``ack()`` is handed to the
error handler right there (logged once, the person told) and never reaches Bolt's ``except``:
``ack.response`` stays what the listener acknowledged. A failure *before* the ack still takes
Bolt's path, which turns the error handler's answer into the acknowledgement (a friendly 200).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.listener import Listener
from slack_bolt.listener.thread_runner import ThreadListenerRunner
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot.logs import log_context
from bot.slack.payloads import request_id_of

log = logging.getLogger(__name__)


class _AckSafeListener(Listener):
    """The same listener (matchers, middleware, ack timeout, lazy functions) whose failures after
    its ack go to the error handler instead of back into Bolt's runner."""

    def __init__(self, inner: Listener, runner: ThreadListenerRunner) -> None:
        self._inner = inner
        self._runner = runner
        self.matchers = inner.matchers
        self.middleware = inner.middleware
        self.ack_function = inner.ack_function
        self.lazy_functions = inner.lazy_functions
        self.auto_acknowledgement = inner.auto_acknowledgement
        self.ack_timeout = inner.ack_timeout

    def run_ack_function(self, *, request: BoltRequest, response: BoltResponse) -> BoltResponse | None:
        body: dict[str, Any] = request.body
        # The executor thread: team and request id for every line the listener logs.
        with log_context(team_id=request.context.team_id, request_id=request_id_of(body)):
            try:
                return self._inner.run_ack_function(request=request, response=response)
            except Exception as error:
                if request.context.ack.response is None:
                    raise  # not acknowledged: Bolt's runner makes the error handler's answer the ack
                self._after_ack(error, request)
                return None

    def _after_ack(self, error: Exception, request: BoltRequest) -> None:
        try:
            # response=None: Slack has its answer already; the handler only logs and tells the person.
            self._runner.listener_error_handler.handle(error=error, request=request, response=None)
        except Exception:  # the handler failing must not undo the ack either
            log.exception("the error handler failed after %s", type(error).__name__)


class AckSafeListenerRunner(ThreadListenerRunner):
    """Bolt's thread runner, every listener wrapped by :class:`_AckSafeListener`."""

    @classmethod
    def replacing(cls, runner: ThreadListenerRunner) -> AckSafeListenerRunner:
        return cls(
            logger=runner.logger,
            process_before_response=runner.process_before_response,
            listener_error_handler=runner.listener_error_handler,
            listener_start_handler=runner.listener_start_handler,
            listener_completion_handler=runner.listener_completion_handler,
            listener_executor=runner.listener_executor,
            lazy_listener_runner=runner.lazy_listener_runner,
        )

    def run(
        self,
        request: BoltRequest,
        response: BoltResponse,
        listener_name: str,
        listener: Listener,
        starting_time: float | None = None,
    ) -> BoltResponse | None:
        return super().run(request, response, listener_name, _AckSafeListener(listener, self), starting_time)


def use_ack_safe_runner(app: App) -> None:
    """Swap the app's listener runner for :class:`AckSafeListenerRunner`. Call it right after
    ``App(...)``, before ``@app.error``: Bolt sets the error handler on the runner it holds then.
    Bolt offers no constructor argument for the runner; ``App.dispatch`` reads ``_listener_runner``
    on every request, so replacing it once at build time is enough."""
    app._listener_runner = AckSafeListenerRunner.replacing(app.listener_runner)

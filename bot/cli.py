"""``tandem`` (or ``python -m bot``): run, migrate, tick, check.

Each command imports what it needs when it runs (the indented imports below, on purpose): `tandem
--help`, a settings mistake and the playground answer without loading Bolt, SQLAlchemy's models
and every ritual, and an optional driver that is missing fails only the command that needs it.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import FrameType

from bot.clock import parse_instant
from bot.problems import EXIT_SETTINGS, Problem, explain
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")

SOCKET_CLOSE_TIMEOUT = 5.0  # seconds
SOCKET_URL_FRESH_SECONDS = 10.0  # how long `run` connects with the URL its app-token check got


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tandem",
        description="Tandem: stand-ups, retros, customer insights and digests for product and marketing teams.",
    )
    parser.add_argument(
        "--env-file",
        help="settings file, read under the environment (default: .env in the working directory, if there is one)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the app (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    transport = run.add_mutually_exclusive_group()
    transport.add_argument("--http", action="store_true", help="force HTTP mode on PORT")
    transport.add_argument("--socket", action="store_true", help="force Socket Mode (needs SLACK_APP_TOKEN)")
    run.add_argument("--port", type=int, help="HTTP port (overrides PORT)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    run.add_argument("--no-scheduler", action="store_true", help="do not run the in-process scheduler")
    run.add_argument("--no-migrate", action="store_true", help="do not migrate the database on start")
    run.add_argument("--threads", type=int, default=8, help="HTTP worker threads (default 8)")

    commands.add_parser("migrate", help="upgrade the database at DATABASE_URL to the latest migration")

    tick = commands.add_parser("tick", help="run once everything due up to an instant, then exit")
    tick.add_argument("--now", help="ISO-8601 instant (default: now); no offset means UTC")

    refresh = commands.add_parser(
        "refresh", help="re-read people's time zones and user-group members from Slack (cron: every few hours)"
    )
    refresh.add_argument("--now", help="ISO-8601 instant (default: now); no offset means UTC")

    commands.add_parser(
        "check",
        help="validate settings, reach the database (creating nothing) and Slack (auth.test; "
        "apps.connections.open with SLACK_APP_TOKEN)",
    )

    commands.add_parser(
        "rotate-keys",
        help="re-encrypt stored Slack tokens and goal pull-source tokens with the first key of TANDEM_ENCRYPTION_KEY",
    )

    digest = commands.add_parser("digest", help="print a channel's weekly digest in the terminal")
    digest.add_argument("--team", required=True, help="workspace (team id, e.g. T0123ABCD)")
    digest.add_argument("--channel", required=True, help="channel id; its digest's sections (all if none)")
    digest.add_argument(
        "--preview", action="store_true", help="print the digest as text, as it always does (nothing is posted)"
    )
    digest.add_argument("--now", help="end of the week to show, ISO-8601 (default: now)")

    export = commands.add_parser(
        "export", help="export data, e.g. `tandem export insights --format csv` or `tandem export goals`"
    )
    export.add_argument(
        "what",
        choices=["insights", "goals", "launches"],
        help="insights, goals (with every value and check-in), or launches (every checklist item)",
    )
    export.add_argument("--format", choices=["csv", "json"], default="csv", help="csv (RFC 4180) or json")
    export.add_argument("--team", help="only this workspace (team id, e.g. T0123ABCD); default: all")
    export.add_argument("-o", "--output", help="write to this file (UTF-8) instead of standard output")

    playground = commands.add_parser(
        "playground", help="try Tandem in a browser: an embedded Slack, demo teams and a clock you control"
    )
    playground.add_argument("--port", type=int, default=8765, help="the page's port (default 8765)")
    playground.add_argument("--db", default="playground.db", help="its SQLite file (default playground.db, here)")
    playground.add_argument("--fresh", action="store_true", help="delete the playground's database first")
    playground.add_argument("--no-open", action="store_true", help="do not open a browser")
    playground.add_argument("--demo-week", action="store_true", help="play the demo week headless, then exit")
    return parser


def _fail(message: str, status: int = 1) -> int:
    print(f"tandem: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "playground":  # needs no settings: it makes up its own
        return cmd_playground(args)
    try:
        settings = load_settings(args.env_file or ".env", must_exist=args.env_file is not None)
    except SettingsError as error:
        return _fail(str(error), EXIT_SETTINGS)

    from bot.logs import configure_logging
    from bot.runtime import secrets_of

    configure_logging(settings.log_level, secrets_of(settings), settings.log_format)
    handler = {
        "run": cmd_run,
        "migrate": cmd_migrate,
        "tick": cmd_tick,
        "refresh": cmd_refresh,
        "check": cmd_check,
        "rotate-keys": cmd_rotate_keys,
        "digest": cmd_digest,
        "export": cmd_export,
    }[args.command]
    try:
        return handler(settings, args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        problem = _problem(error, settings, args)
        if problem is None:
            raise  # not an expected failure: a bug, and its traceback helps fix it
        log.debug("%s: %s", type(error).__name__, problem)
        return _fail(str(problem), problem.status)


def _problem(error: BaseException, settings: Settings, args: argparse.Namespace) -> Problem | None:
    """The one-line explanation of an expected failure (bot/problems.py), None for a bug."""
    port = (args.port or settings.port) if args.command == "run" else None
    return explain(error, database_url=settings.database_url, slack_api_url=settings.slack_api_url, port=port)


def cmd_playground(args: argparse.Namespace) -> int:
    from bot.playground.command import run

    return run(args)


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from bot.migrate import upgrade_to_head
    from bot.runtime import build_services

    services = build_services(settings)
    try:
        state = upgrade_to_head(services.db)
    finally:
        services.db.dispose()
    print(state.upgrade_summary())
    return 0


def _now_option(args: argparse.Namespace) -> datetime | None:
    """``--now``, parsed (None when not given); ValueError with the one-line message otherwise."""
    if not args.now:
        return None
    try:
        return parse_instant(args.now)
    except ValueError:
        raise ValueError(
            f"--now: expected an ISO-8601 instant such as 2026-03-29T07:00:00Z, got {args.now!r}"
        ) from None


def cmd_tick(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime import build_services
    from bot.scheduling.tick import run_due
    from bot.slack.drainer import drain

    try:
        now = _now_option(args)
    except ValueError as error:
        return _fail(str(error), 2)
    services = build_services(settings)
    try:
        instant = now or services.clock()
        report = run_due(services, instant)
        print(report.summary())
        # A cron deployment has no drainer thread: send what is ready (paced), then exit. Ready as
        # of the tick's instant when that is later than the clock (`--now` ahead: the jobs stamped
        # their messages then), else as of the clock (nothing already due is held back).
        print(drain(services, max(instant, services.clock())).summary())
    finally:
        services.db.dispose()
    return 0


def cmd_refresh(settings: Settings, args: argparse.Namespace) -> int:
    from bot.maintenance import refresh
    from bot.runtime import build_services
    from bot.slack.probe import check_bot_token

    try:
        now = _now_option(args)
    except ValueError as error:
        return _fail(str(error), 2)
    if not settings.oauth_enabled:
        # Everything refresh does is Slack calls: a token Slack refuses or a Slack out of reach is
        # one line here, not slack_sdk's retries and ERROR lines on the first users.info.
        check_bot_token(settings)
    services = build_services(settings)
    try:
        print(refresh(services, now or services.clock()).summary())
    finally:
        services.db.dispose()
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from bot.migrate import migration_state
    from bot.runtime import build_services
    from bot.slack.probe import check_app_token, check_bot_token

    services = build_services(settings)
    ok = True
    mode = "OAuth (multi-workspace)" if settings.oauth_enabled else "single workspace (bot token)"
    transport = "Socket Mode" if settings.slack_app_token else "HTTP"
    print(f"settings   ok: {mode}, {transport}, database {services.db.dialect}")
    try:
        missing = _missing_sqlite_file(services.db.engine.url.database) if settings.is_sqlite else None
        state = migration_state(services.db)  # creates nothing: a missing SQLite file is not opened
        count = len(state.pending)
        pending = f"{count} migration{'' if count == 1 else 's'} pending"
        if missing:
            print(f"database   ok: {missing} does not exist yet; `tandem migrate` creates it ({pending})")
        else:
            print(f"database   ok ({pending}: run `tandem migrate`)" if count else f"database   ok (at {state.head})")
    except Exception as error:
        problem = _problem(error, settings, args)
        if problem is None:
            raise
        ok = False
        print(f"database   FAILED: {problem}")
    finally:
        services.db.dispose()
    if settings.oauth_enabled:
        print("slack      skipped: OAuth mode has no single token; workspaces are checked on install")
    else:
        try:
            bot = check_bot_token(settings)
            print(f"slack      ok: team {bot.team} ({bot.team_id}), bot {bot.user}")
        except Problem as problem:
            ok = False
            print(f"slack      FAILED: {problem}")
    if settings.slack_app_token is not None:
        try:
            check_app_token(settings)
            print("socket     ok: SLACK_APP_TOKEN opens Socket Mode connections")
        except Problem as problem:
            ok = False
            print(f"socket     FAILED: {problem}")
    return 0 if ok else 1


def _missing_sqlite_file(database: str | None) -> str | None:
    """The SQLite file's path when it does not exist yet (None if it does, or is in memory);
    a Problem when it could not be created there either."""
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if path.exists():
        return None
    folder = path.parent
    if not folder.exists():
        raise Problem(f"cannot create the SQLite database {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise Problem(f"cannot create the SQLite database {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise Problem(f"cannot create the SQLite database {path}: the folder {folder} is not writable by this user")
    return str(path)


def cmd_rotate_keys(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import Database
    from bot.goals.secrets import rotate_pull_tokens
    from bot.slack.installations import make_fernet, rotate_token_encryption

    if settings.tandem_encryption_key is None:
        return _fail("TANDEM_ENCRYPTION_KEY: required for rotate-keys (new key first, then the old ones)", 2)
    db = Database.from_url(settings.database_url)
    fernet = make_fernet(settings.tandem_encryption_key.get_secret_value())
    try:
        with db.engine.begin() as connection:  # Slack tokens and goal pull tokens: all or nothing
            count = rotate_token_encryption(connection, fernet)
            pulled = rotate_pull_tokens(connection, fernet)
    finally:
        db.dispose()
    print(f"re-encrypted {count} stored token(s) and {pulled} goal pull-source token(s) with the newest key")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import Database
    from bot.goals import export as goals_export
    from bot.insights import export as insights_export
    from bot.launches import export as launches_export

    write_export = {
        "goals": goals_export.write_export,
        "insights": insights_export.write_export,
        "launches": launches_export.write_export,
    }[args.what]
    noun = {"goals": "goal(s)", "insights": "insight(s)", "launches": "launch item(s)"}[args.what]

    db = Database.from_url(settings.database_url)
    try:
        db.ping()  # a database that cannot be opened fails here, before anything is written
        with db.unit_of_work() as session:
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as out:
                    count = write_export(session, out, args.format, args.team)
            else:
                sys.stdout.reconfigure(encoding="utf-8", newline="")  # type: ignore[union-attr]
                count = write_export(session, sys.stdout, args.format, args.team)
                sys.stdout.flush()
    except OSError as error:
        return _fail(f"could not write {args.output}: {error.strerror}")
    finally:
        db.dispose()
    print(f"exported {count} {noun}", file=sys.stderr)
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.digest.posting import digest_for_preview
    from bot.digest.views import blocks_to_text, build_digest_blocks
    from bot.runtime import build_services

    try:
        now = _now_option(args)
    except ValueError as error:
        return _fail(str(error), 2)
    services = build_services(settings)
    try:
        with services.db.unit_of_work() as session:
            digest = digest_for_preview(
                session, team_id=args.team, channel_id=args.channel, now=now or services.clock()
            )
    finally:
        services.db.dispose()
    print(blocks_to_text(build_digest_blocks(digest)), end="")
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """The HTTP port, bound before anything starts (waitress serves on this socket): a port in use
    is reported before the database is touched."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from waitress import create_server

    from bot.app import build_app
    from bot.db import Checkpointer, start_checkpointer
    from bot.logs import ContextThreadPoolExecutor
    from bot.metrics import register_database_probes
    from bot.metrics_probes import operational_probes
    from bot.migrate import upgrade_to_head
    from bot.runtime import build_services, web_routes
    from bot.scheduling.runner import start_scheduler
    from bot.slack.drainer import DrainerThread, start_drainer
    from bot.slack.probe import check_app_token, check_bot_token
    from bot.web import build_wsgi_app

    socket_mode = args.socket or (settings.slack_app_token is not None and not args.http)
    if socket_mode and settings.slack_app_token is None:
        return _fail("SLACK_APP_TOKEN: required for --socket (an app-level token starting with xapp-)", 2)

    # Nothing starts before the tokens, the port and the database are known to work; a failure on
    # the way is one line (bot/problems.py), not a half-started process.
    bot = check_bot_token(settings) if not settings.oauth_enabled else None
    socket_url = check_app_token(settings) if socket_mode else None
    socket_url_at = time.monotonic()
    port = args.port or settings.port
    # HTTP mode serves Slack on this port; Socket Mode /healthz, /metrics (for probes) and the
    # features' own routes (POST /goals/<id>/values).
    listener = _listen(args.host, port)
    services = build_services(settings)
    # Bolt runs each listener (and so its ack) on this pool, and the work after an ack (views.open,
    # outbox writes, App Home refreshes) keeps a thread busy: size it well above the HTTP threads so
    # a new request's ack never waits behind earlier requests' follow-up work.
    executor = ContextThreadPoolExecutor(max_workers=max(16, 4 * args.threads), thread_name_prefix="listener")
    scheduler = None
    drainer: DrainerThread | None = None
    checkpointer: Checkpointer | None = None
    try:
        if not args.no_migrate:
            log.info(upgrade_to_head(services.db).upgrade_summary())
        if bot is not None:
            log.info("Slack: team %s (%s), bot %s", bot.team, bot.team_id, bot.user)
        app = build_app(services, listener_executor=executor)
        register_database_probes(operational_probes(services))
        server = create_server(
            build_wsgi_app(app, services.db, serve_slack=not socket_mode, prefix_routes=web_routes(services)),
            sockets=[listener],
            threads=args.threads,
            ident="tandem",
        )

        def refresh() -> None:
            from bot.maintenance import refresh as refresh_from_slack

            log.info(refresh_from_slack(services, services.clock()).summary())

        # SQLite: checkpoints beside the writers, not inside a commit (see bot.db.Checkpointer).
        checkpointer = start_checkpointer(services.db)
        scheduler = None if args.no_scheduler else start_scheduler(services, refresh)
        drainer = start_drainer(services)
        # What is built by now lives as long as the process (modules, the app, the engine): keep it
        # out of the collector's full passes, which otherwise stop every thread 100-150 ms
        # (measured under load, twice in a minute of pushed values).
        gc.collect()
        gc.freeze()

        stop = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("received %s; finishing in-flight work", signal.Signals(signum).name)
            stop.set()
            if not socket_mode:
                raise SystemExit(0)  # waitress' run() catches this and drains its worker threads

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            assert settings.slack_app_token is not None
            threading.Thread(target=server.run, name="health-http", daemon=True).start()
            handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
            # The URL the token check was answered with: the first connection costs no second
            # apps.connections.open (reconnections ask for a new one, as usual). After a long
            # migration the URL may have expired: then the handler asks for a fresh one.
            fresh = time.monotonic() - socket_url_at < SOCKET_URL_FRESH_SECONDS
            handler.client.wss_uri = socket_url if socket_url and fresh else None
            handler.connect()
            log.info("Tandem is running in Socket Mode (health checks on http://%s:%s/healthz)", args.host, port)
            # A timed wait: a signal landing just before an untimed wait blocks in C would leave
            # its Python handler pending (never run) until the wait returned, i.e. forever.
            while not stop.wait(0.5):
                pass
            # slack_sdk's client.close() can block forever joining its session thread when it races
            # a session that has just started (that thread resets the "terminated" flag). The socket
            # is closed before that join, and the client's threads are daemons: bound the wait.
            closer = threading.Thread(target=handler.close, name="socket-mode-close", daemon=True)
            closer.start()
            closer.join(SOCKET_CLOSE_TIMEOUT)
            if closer.is_alive():
                log.warning("the Socket Mode client did not finish closing in %ss; going on", SOCKET_CLOSE_TIMEOUT)
            server.close()
        else:
            log.info("Tandem is listening on http://%s:%s/slack/events", args.host, port)
            server.run()
    finally:
        listener.close()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        if drainer is not None:
            drainer.stop()
        executor.shutdown(wait=True)
        if checkpointer is not None:
            checkpointer.stop()
        services.db.dispose()
        if drainer is not None:
            log.info("Tandem stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""README.md, .env.example, .ci/run and the Dockerfile tell the truth about the code.

* The README's test command is the one line CI runs (``.ci/run --print-test-command``).
* The configuration table is generated from ``Settings.model_fields``; after changing a setting,
  refresh it with ``python tests/test_readme.py --write``.
* Every CLI command and ``run`` option, every bot scope, and every setting (in .env.example too)
  is documented.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pydantic import SecretStr
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TEST_COMMAND = 'pip install -e ".[test]" && pytest -n 2'


def section(text: str, name: str) -> str:
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, flags=re.DOTALL)
    assert match, f"README.md has no <!-- {name}:start/end --> markers"
    return match.group(1)


def fenced_lines(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.startswith("```")]


def _default(field: typing.Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "**required**"
    if field.default is None:
        return "*unset*"
    return f"`{field.default}`"


def _meaning(field: typing.Any) -> str:
    meaning = (field.description or "").strip()
    if not meaning:
        raise AssertionError("every setting needs a description in bot/settings.py (it is the README's text)")
    args = [a for a in typing.get_args(field.annotation) if a is not type(None)]
    if typing.get_origin(field.annotation) is typing.Literal:
        meaning += " One of " + ", ".join(f"`{a}`" for a in args) + "."
    if field.annotation is SecretStr or SecretStr in args:
        meaning += " Secret."
    return meaning


def settings_table() -> str:
    from bot.settings import Settings

    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{name.upper()}` | {_default(field)} | {_meaning(field)} |")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- commands


def test_readme_test_command_is_the_documented_one_liner() -> None:
    assert fenced_lines(section(README.read_text(encoding="utf-8"), "test-command")) == [TEST_COMMAND]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-test-command"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == TEST_COMMAND + "\n"


def test_ci_script_is_strict_and_treats_no_tests_as_failure() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in script
    assert '"$status" -eq 5' in script  # pytest's "no tests collected"
    assert "alembic check" in script and "ruff check" in script
    assert "TANDEM_TEST_POSTGRES_URL" in script


def test_quick_start_is_one_line() -> None:
    """The first command a newcomer runs starts the playground (issue #14): nothing to configure."""
    lines = fenced_lines(section(README.read_text(encoding="utf-8"), "run-command"))
    assert len(lines) == 1
    assert "pip install -e ." in lines[0] and lines[0].endswith("tandem playground")


# ---------------------------------------------------------------- configuration


def test_readme_settings_table_is_generated_from_settings() -> None:
    documented = section(README.read_text(encoding="utf-8"), "settings-table")
    assert documented == settings_table(), (
        "README.md's configuration table is out of date: run `python tests/test_readme.py --write`"
    )


def test_env_example_lists_every_setting() -> None:
    from bot.settings import Settings

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert re.search(rf"^#?\s*{name.upper()}=", example, flags=re.MULTILINE), f"{name.upper()} missing"


def test_env_example_holds_no_real_secret() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        value = line.split("=", 1)[1].strip()
        assert not re.fullmatch(r"xox[bpae]-\d+-.+|xapp-\d-.+", value), line


# ---------------------------------------------------------------- CLI and scopes


def test_readme_documents_every_cli_command_and_run_option() -> None:
    import argparse

    from bot.cli import build_parser

    readme = README.read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert subparsers.choices
    for name, subparser in subparsers.choices.items():
        assert f"`tandem {name}" in readme, f"`tandem {name}` is not in README.md"
        if name == "run":
            for action in subparser._actions:
                for option in action.option_strings:
                    if option in ("-h", "--help", "--host", "--threads"):
                        continue
                    assert option in readme, f"`tandem run {option}` is not in README.md"


def test_readme_justifies_exactly_the_bot_scopes() -> None:
    from bot.app import BOT_SCOPES

    readme = README.read_text(encoding="utf-8")
    table = readme.split("## Bot scopes", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z:.]+)` \| (.+) \|$", table, flags=re.MULTILINE)
    assert [scope for scope, _ in documented] == list(BOT_SCOPES)
    assert all(len(why) > 20 for _, why in documented)


def test_readme_links_point_at_files_that_exist() -> None:
    readme = README.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):
        if target.startswith(("http://", "https://")):
            continue
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


# ---------------------------------------------------------------- Dockerfile


def dockerfile_text() -> str:
    """The Dockerfile with line continuations joined: one instruction per line."""
    return re.sub(r"\\\n\s*", "", (ROOT / "Dockerfile").read_text(encoding="utf-8"))


def test_dockerfile_is_the_documented_image() -> None:
    dockerfile = dockerfile_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^USER (?!root)\S+", dockerfile, flags=re.MULTILINE), "the image must not run as root"
    assert re.search(r"^EXPOSE 3000$", dockerfile, flags=re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*/healthz", dockerfile, flags=re.MULTILINE)
    assert "optional-dependencies']['postgres']" in dockerfile  # the driver for postgresql:// URLs
    assert 'CMD ["tandem", "run"]' in dockerfile
    # The dependencies are installed in a layer before the code is copied (a code change does not
    # reinstall them); the migrations come inside the package (bot.migrations), so neither
    # migrations/ in the working directory nor alembic.ini is needed (this test asserted the
    # opposite while bot/migrate.py looked for them in the working directory).
    lines = dockerfile.splitlines()
    first_install = next(i for i, line in enumerate(lines) if line.startswith("RUN") and "pip install -r" in line)
    copy_code = next(i for i, line in enumerate(lines) if re.match(r"^COPY bot\b", line))
    assert first_install < copy_code
    assert re.search(r"^COPY migrations ", dockerfile, flags=re.MULTILINE)  # built into the package
    assert not re.search(r"^COPY .*alembic\.ini", dockerfile, flags=re.MULTILINE)
    # A writable home for matplotlib's cache (the digest chart), not a warning on every start.
    assert re.search(r"^ENV .*MPLCONFIGDIR=/home/tandem/", dockerfile, flags=re.MULTILINE)
    assert "--create-home" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for pattern in (".git", ".env", ".venv"):
        assert pattern in ignored


def test_dockerfile_healthcheck_command_runs() -> None:
    # The health check is a `python -c` one-liner (no curl in slim images): prove it is valid
    # Python that passes on 200 and fails on 503 or when nothing listens.
    dockerfile = dockerfile_text()
    match = re.search(r'^HEALTHCHECK .*?CMD \["python", "-c", "(.*)"\]$', dockerfile, flags=re.MULTILINE)
    assert match, 'HEALTHCHECK should be CMD ["python", "-c", "..."]'
    code = match.group(1).replace('\\"', '"')

    def health_check(port: int) -> subprocess.CompletedProcess[str]:
        environment = {"PORT": str(port), "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=30)

    closed = health_check(9)
    assert closed.returncode != 0
    assert "SyntaxError" not in closed.stderr and "NameError" not in closed.stderr

    statuses = {"/healthz": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(statuses.get(self.path, 404))
            self.end_headers()

        def log_message(self, *args: typing.Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        healthy = health_check(port)
        assert healthy.returncode == 0, healthy.stderr
        statuses["/healthz"] = 503  # database unreachable
        assert health_check(port).returncode != 0
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    # `python tests/test_readme.py --write` refreshes the README's configuration table.
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] != ["--write"]:
        print(settings_table(), end="")
        raise SystemExit(0)
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    README.write_text(before + start + settings_table() + end + after, encoding="utf-8")
    print("README.md: configuration table refreshed")

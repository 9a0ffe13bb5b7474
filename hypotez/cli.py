"""The ``hypotez`` command line: validate, console, run, schema, docs, new, adopt.

Exit codes: 0 success, 1 the spec or the configuration is wrong, 2 usage errors (bad options, a
spec file that cannot be read). A Python traceback is never what a user sees.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from hypotez.cli_sync import add_sync_commands
from hypotez import examples_runner
from hypotez.i18n import counted, plural
from hypotez.errors import ConfigError, HypotezError, SpecError, SpecFileError
from hypotez.cli_storage import add_storage_command
from hypotez import cli_worker, run_options

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would sys.exit(2) by itself; we return instead
        self.print_usage(sys.stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(HypotezError):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hypotez", description="A declarative Discord bot framework driven by YAML.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    validate = sub.add_parser("validate", help="check a spec; print every problem as FILE:LINE:COL: message")
    validate.add_argument("spec", nargs="?", default="commands.yaml")
    validate.add_argument("--format", choices=["text", "json", "github"], default="text")

    console = sub.add_parser("console", help="talk to the bot in the terminal (embedded offline defaults)")
    console.add_argument("--spec", default="commands.yaml")
    console.add_argument("--data", default=None, help="data folder (default: $HYPOTEZ_DATA or ./data)")
    _watch_options(console)
    run_options.add_log_options(console)

    run = sub.add_parser("run", help="run the bot on Discord (token from DISCORD_TOKEN or .env)")
    run.add_argument("--spec", default="commands.yaml")
    run.add_argument("--data", default=None, help="data folder (default: $HYPOTEZ_DATA or ./data)")
    _watch_options(run)
    run_options.add_observability_options(run)
    run_options.add_shard_options(run)
    run_options.add_schedule_options(run)

    sub.add_parser("schema", help="print the JSON Schema of commands.yaml")

    docs = sub.add_parser("docs", help="print a Markdown (or --html) reference of the commands")
    docs.add_argument("--spec", default="commands.yaml")
    docs.add_argument("--html", action="store_true", help="one self-contained HTML page instead of Markdown")

    new = sub.add_parser("new", help="add something to the spec, ready to edit: new command NAME")
    new.add_argument("what", choices=["command"])
    new.add_argument("name", help="the new command's name, e.g. rules")
    new.add_argument("--spec", default="commands.yaml")

    adopt = sub.add_parser("adopt", help="give data stored before servers were separated to one server")
    adopt.add_argument("server", help="the server's id (Discord: right-click the server → Copy Server ID)")
    adopt.add_argument("--spec", default="commands.yaml")
    adopt.add_argument("--data", default=None, help="data folder (default: $HYPOTEZ_DATA or ./data)")
    add_storage_command(sub, COMMANDS)
    COMMANDS.update(add_sync_commands(sub, read_token))  # sync --plan (hypotez.cli_sync)
    examples_runner.register(sub, COMMANDS)  # hypotez test
    cli_worker.register(sub, COMMANDS)  # hypotez worker
    return parser


def _watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--watch", action="store_true",
                        help="reload commands.yaml and templates/ when they change (a bad change is rejected)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="with --watch: how often to look for changes (default 1)")


def _github_data(text: str) -> str:
    # GitHub's workflow-command escaping (toolkit/core command.ts): data, then properties.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def _print_problems(error: SpecError, fmt: str, file: Any = None) -> None:
    if fmt == "json":
        import json
        print(json.dumps([{"file": p.file, "line": p.line, "column": p.column, "severity": p.severity,
                           "message": p.message, "hint": p.hint} for p in error.problems],
                         ensure_ascii=False, indent=2))
        return
    for problem in error.problems:
        if fmt == "github":
            level = "warning" if problem.severity == "warning" else "error"
            text = problem.message + (f"\nhint: {problem.hint}" if problem.hint else "")
            print(f"::{level} file={_github_property(problem.file)},line={problem.line},col={problem.column},"
                  f"title=hypotez validate::{_github_data(text)}")
        else:
            print(problem.format(), file=file or sys.stdout)


def cmd_validate(args: argparse.Namespace) -> int:
    from hypotez.registry import load_registry

    try:  # what the bot does at start-up: the declaration loaded, the registry built
        spec = load_registry(Path(args.spec), display_name=args.spec).spec
    except SpecError as error:
        _print_problems(error, args.format)
        count = len(error.errors)
        if args.format == "text":
            print(f"{args.spec}: {counted(count, 'problem')} found", file=sys.stderr)
        return EXIT_PROBLEMS
    if spec.warnings or args.format == "json":  # json: always one document, [] when all is well
        _print_problems(SpecError(list(spec.warnings)), args.format)
    commands = [c for c in spec.commands if not c.builtin]
    slash = sum(1 for c in commands if c.slash)
    if args.format == "text":
        count = len(spec.warnings)
        warnings = f", {counted(count, 'warning')}" if count else ""
        print(f"{args.spec}: OK — {counted(len(commands), 'command')} "
              f"({slash} also as slash {plural(slash, 'command', 'commands', language='en')}), "
              f"language {spec.settings.language}, prefix '{spec.settings.prefix}'{warnings}")
    return EXIT_OK


def _load_app(args: argparse.Namespace):
    from hypotez.app import load_app

    return load_app(args.spec, args.data)


def cmd_console(args: argparse.Namespace) -> int:
    from hypotez.adapters.console import run_console

    app = _load_app(args)
    return asyncio.run(run_console(app, spec_path=args.spec, watch=args.watch, interval=args.interval))


def read_token(env_file: Path = Path(".env")) -> str | None:
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    if token:
        return token
    if env_file.is_file():
        for line in env_file.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip().removeprefix("export ").strip() == "DISCORD_TOKEN":
                return value.strip().strip("'\"") or None
    return None


NO_TOKEN = ConfigError(
    "no Discord token: set DISCORD_TOKEN in the environment or in a .env file (DISCORD_TOKEN=...)",
    "Get a token at https://discord.com/developers/applications → your application → Bot → Reset Token, "
    "and enable 'Message Content Intent' on the same page.\n"
    "To try the bot without Discord, run: hypotez console",
)


def cmd_run(args: argparse.Namespace) -> int:
    token = read_token()
    if not token:
        raise NO_TOKEN
    from hypotez.adapters.discord_run import run_bot
    from hypotez.adapters.discord_endpoint import TestServer

    from hypotez.collector import Collector

    test_server = TestServer.from_env()  # tests only; None means Discord itself
    app = _load_app(args)
    options = run_options.run_keywords(args, app)
    with Collector() as collector:
        if args.watch:
            from hypotez.adapters.discord_reload import run_watching_bot

            return run_watching_bot(app, token, Path(args.spec), args.interval, test_server=test_server,
                                    collector=collector, **options)
        return run_bot(app, token, test_server=test_server, collector=collector, **options)


def cmd_schema(args: argparse.Namespace) -> int:
    from hypotez.declaration.schema import schema_json

    print(schema_json())
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from hypotez.docs import html_reference, markdown_reference
    from hypotez.registry import load_spec

    spec = load_spec(Path(args.spec), display_name=args.spec)
    print(html_reference(spec) if args.html else markdown_reference(spec), end="")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from hypotez.scaffold import NewCommandRefused, add_command

    try:
        added = add_command(Path(args.spec), args.name, display_name=args.spec)
    except NewCommandRefused as refused:
        print(f"hypotez: {refused.format_message()}", file=sys.stderr)
        return EXIT_PROBLEMS
    for line in added.report():
        print(line)
    return EXIT_OK


def cmd_adopt(args: argparse.Namespace) -> int:
    from hypotez.app import data_dir_from_env
    from hypotez.services.datafolder import DataFolder
    from hypotez.services.legacy import adopt, has_legacy_data, legacy_files
    from hypotez.services.storage import open_storage
    from hypotez.registry import load_spec

    if not args.server.isdigit():
        print(f"hypotez: {args.server!r} is not a server id: give the number Discord shows with "
              "'Copy Server ID' (Developer Mode on)", file=sys.stderr)
        return EXIT_USAGE
    spec = load_spec(Path(args.spec), display_name=args.spec)
    data = DataFolder(data_dir_from_env(args.data))
    storage = open_storage(spec.settings.storage, data.internal)
    try:
        if not has_legacy_data(storage, data) and not legacy_files(data):
            print(f"nothing to adopt: {data.root} has no data from before servers were separated")
            return EXIT_OK
        moved = adopt(storage, data, args.server)
    finally:
        storage.close()
    print(f"server {args.server} now has the earlier feedback, answers, corrections, jobs and settings, "
          f"{moved['models']} model versions and {moved['files']} entries of the data folder")
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "console": cmd_console, "run": cmd_run, "schema": cmd_schema,
            "docs": cmd_docs, "new": cmd_new, "adopt": cmd_adopt}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        run_options.check(args, parser.error)
    except _UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    level = logging.INFO if args.command == "run" else logging.WARNING
    from hypotez.observability.jsonlog import configure_logging

    configure_logging(level, getattr(args, "log_format", "text"))
    try:
        return COMMANDS[args.command](args)
    except SpecFileError as error:
        print(f"hypotez: {error}", file=sys.stderr)
        return EXIT_USAGE
    except SpecError as error:  # on stderr: stdout may be a file being written (hypotez docs > commands.html)
        _print_problems(error, "text", file=sys.stderr)
        print(f"{counted(len(error.errors), 'problem')}: fix the spec, then try again (hypotez validate)",
              file=sys.stderr)
        return EXIT_PROBLEMS
    except ConfigError as error:
        print(f"hypotez: {error.format_message()}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # a bug: say so briefly; the traceback only when asked for
        if os.environ.get("HYPOTEZ_DEBUG"):
            raise
        from hypotez.redaction import Redactor

        redact = Redactor([read_token()])  # the error's text may quote the token
        print(redact(f"hypotez: internal error: {type(error).__name__}: {error}\n"
                     "Run again with HYPOTEZ_DEBUG=1 to see the traceback, and please report it."), file=sys.stderr)
        return EXIT_PROBLEMS

"""``hypotez storage migrate --to postgresql://…``: copy a bot's SQLite database to PostgreSQL."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

EXIT_OK = 0


def add_storage_command(sub: Any, commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    """Add the ``storage`` sub-command to the CLI's parser and its table of commands."""
    storage = sub.add_parser("storage", help="the bot's database: copy it from SQLite to PostgreSQL")
    actions = storage.add_subparsers(dest="storage_command", metavar="ACTION", required=True,
                                     parser_class=type(storage))
    migrate = actions.add_parser("migrate", help="copy the SQLite database (every table, every server) and the "
                                                 "state file beside it into an empty PostgreSQL database")
    migrate.add_argument("--to", dest="target", default=None, metavar="URL",
                         help="postgresql://USER:PASSWORD@HOST:PORT/DATABASE (default: $HYPOTEZ_DATABASE_URL, "
                              "which keeps the password off the command line)")
    migrate.add_argument("--spec", default="commands.yaml", help="the spec, for bot.storage.database")
    migrate.add_argument("--data", default=None, help="data folder (default: $HYPOTEZ_DATA or ./data)")
    migrate.add_argument("--from", dest="source", default=None, metavar="FILE",
                         help="the SQLite file to copy (default: the one the spec and data folder name)")
    commands["storage"] = cmd_storage


def source_file(args: argparse.Namespace) -> Path:
    from hypotez.app import data_dir_from_env
    from hypotez.registry import load_spec
    from hypotez.services.datafolder import DataFolder
    from hypotez.services.storage_open import DEFAULT_DATABASE, is_postgresql

    if args.source:
        return Path(args.source)
    spec = load_spec(Path(args.spec), display_name=args.spec)
    database = str(spec.settings.storage.get("database", DEFAULT_DATABASE))
    if is_postgresql(database):
        database = DEFAULT_DATABASE  # the spec already names PostgreSQL: the file is the one used before
    return DataFolder(data_dir_from_env(args.data)).internal / database


def cmd_storage(args: argparse.Namespace) -> int:
    import os

    from hypotez.errors import ConfigError
    from hypotez.services.storage import Storage
    from hypotez.services.state_store import STATE_DATABASE
    from hypotez.services.state_store_sqlite import SQLiteStateStore
    from hypotez.services.storage_copy import COPIED_TABLES, copy_storage
    from hypotez.services.storage_open import ENV_VARIABLE, is_postgresql, open_backend

    target_url = args.target or os.environ.get(ENV_VARIABLE, "").strip()
    setting = "--to" if args.target else f"the environment variable {ENV_VARIABLE}"
    if not target_url:
        raise ConfigError("hypotez storage migrate needs the PostgreSQL database to copy to",
                          f"give --to postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or set {ENV_VARIABLE}")
    if not is_postgresql(target_url):
        raise ConfigError(f"{setting}: {target_url!r} is not a PostgreSQL URL",
                          "write it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
    path = source_file(args)
    if not path.is_file():
        raise ConfigError(f"there is no SQLite database at {path}: nothing to copy",
                          "give the file with --from, or the bot's data folder with --data")
    state_path = path.parent / STATE_DATABASE  # the bot's memory and schedules' runs, beside the database
    source = Storage(path)
    state = SQLiteStateStore(state_path) if state_path.is_file() else None
    try:
        target = Storage(open_backend(target_url, setting=setting))
        try:
            copied = copy_storage(source, target, state)
            where = target.describe()
        finally:
            target.close()
    finally:
        source.close()
        if state is not None:
            state.close()
    counts = ", ".join(f"{table} {copied.pop(table)}" for table in COPIED_TABLES)
    print(f"copied {path} to the {where}: {counts} rows")
    if state is not None:
        counts = ", ".join(f"{table} {count}" for table, count in copied.items())
        print(f"copied {state_path} (state: and schedules' runs) with it: {counts} rows")
    print(f"the bot uses it once bot.storage.database or {ENV_VARIABLE} names it; {path} is left as it was")
    return EXIT_OK

"""The `houseboat` command: houseboat's own commands first, then Django's."""

import os
import shutil
import sys
from pathlib import Path

from houseboat import demo_folder

# One line each for `houseboat --help`; a test keeps them equal to each command's help.
COMMANDS = {
    "demo": "Start a throwaway demo with sample data and print the sign-in details.",
    "serve": "Run the web server for real use (production server, static files included).",
    "worker": "Run the background worker, every lane at once; --lane NAME runs one, --once "
    "does all due work and exits.",
    "createuser": "Create a person's account, optionally adding them to a team.",
    "team": "Create or list teams.",
    "campaign": "Create or list campaigns.",
    "export-site": "Write a campaign's public page and Atom feed as static files.",
    "channel": "Connect, list, check or remove a team's channels.",
    "post": "Compose, list, show, approve or cancel posts, and decide about unclear deliveries.",
    "import": "Import a platform's export or collected posts into a campaign's archive.",
    "column": "Add, list, pause, resume or remove the live columns of a campaign's board.",
    "search": "Search a campaign's archive, with the same filters as the Archive page.",
    "export": "Write a campaign's archive to a folder in open formats, with a manifest of hashes.",
    "verify": "Check an archive export: name every file that changed, is missing or was added.",
    "demand": "Add, import, list, export demands made of the authorities, and record their status.",
    "archive": "Purge a campaign's archive, whole or older than a date (retention); custody stays.",
    "media": "Remove metadata from photos and videos, and blur faces, before they are published.",
    "purge": "Emergency: erase a team's protected personal data and channel credentials for good.",
    "keys": "Re-encrypt stored secrets under the newest encryption key, so old keys can be retired.",
    "supporter": "Add, import, list, export or erase a team's supporters.",
    "action": "Add or list a campaign's calls to action (events, petitions, donations, asks).",
    "funnel": "Show a campaign's ladder of engagement as a table: reached, how fast, stalled.",
    "report": "Write a campaign's monitoring-and-evaluation report as PDF or HTML, with its CSVs.",
    "radar": "Compare the press and the archive on a campaign's issue over a period.",
    "press": "Add, list, fetch or resume the press feeds a team follows (the radar's press side).",
}

USAGE = """usage: houseboat [--data-dir DIR] COMMAND [options]

houseboat keeps everything in its data directory: HOUSEBOAT_DATA_DIR, or
--data-dir, or ~/.local/share/houseboat. DATABASE_URL switches to PostgreSQL.

commands:
{commands}

Django's management commands work too (houseboat migrate, houseboat shell, ...):
`houseboat help --django` lists them. `houseboat COMMAND --help` explains one.
"""


def print_usage() -> None:
    width = max(len(name) for name in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items())
    print(USAGE.format(commands=lines))


def take_data_dir(argv: list[str]) -> tuple[list[str], str | None]:
    """Remove --data-dir from anywhere in argv and return the rest and its value."""
    rest, value, args = [], None, iter(argv)
    for arg in args:
        if arg == "--data-dir":
            value = next(args, None)
            if value is None:
                raise SystemExit("houseboat: --data-dir needs a folder")
        elif arg.startswith("--data-dir="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return rest, value


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    argv, data_dir = take_data_dir(argv)
    if data_dir:
        os.environ["HOUSEBOAT_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    if not argv or argv[0] in {"-h", "--help"} or argv == ["help"]:
        print_usage()
        return 0
    if argv[:2] == ["help", "--django"]:
        argv = ["help"]
    command = argv[0]
    throwaway = prepare_demo_environment() if command == "demo" else None
    if command in COMMANDS:
        argv[0] = command.replace("-", "_")
    try:
        return run_django(argv)
    finally:
        if throwaway is not None:  # however the demo ended, its folder goes
            shutil.rmtree(throwaway, ignore_errors=True)


def prepare_demo_environment() -> Path | None:
    """The demo always uses SQLite, in a throwaway folder unless one was given.

    Return the throwaway folder, if one was made. SIGTERM and SIGHUP (a closed
    terminal) stop the demo as Ctrl-C does, so the folder is removed then too.
    """
    os.environ["HOUSEBOAT_DEMO"] = "1"
    demo_folder.stop_on_hangup_and_terminate()
    if os.environ.get("HOUSEBOAT_DATA_DIR"):
        return None
    folder = demo_folder.prepare()
    os.environ["HOUSEBOAT_DATA_DIR"] = str(folder)
    os.environ["HOUSEBOAT_DEMO_THROWAWAY"] = "1"
    return folder


def run_django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    from houseboat.env import SettingError

    try:
        django.setup()
    except (SettingError, ImproperlyConfigured) as exc:
        print(f"houseboat: {exc}", file=sys.stderr)
        return 2
    try:
        execute_from_command_line(["houseboat", *argv])
    except DatabaseError as exc:
        print(database_message(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def database_message(exc: Exception) -> str:
    from django.conf import settings

    where = settings.DATABASES["default"]["NAME"]
    return (
        f"houseboat: the database {where} cannot be used: {str(exc).strip()}.\n"
        "Check that HOUSEBOAT_DATA_DIR (or DATABASE_URL) points to the right place, that this "
        "user may write there, and that the database server is running. "
        "If this is a new install, run: houseboat migrate"
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""The `houseboat` command: houseboat's own commands first, then Django's.

It speaks English unless HOUSEBOAT_LANGUAGE names one of houseboat's languages
(``HOUSEBOAT_LANGUAGE=fr houseboat --help``): LANG is left alone on purpose, so a
server whose locale happens to be Turkish still writes English to its logs and scripts.
"""

import gettext
import os
import shutil
import sys
from pathlib import Path

from houseboat import demo_folder


def gettext_noop(message: str) -> str:
    """Mark a message for the catalogues (Django is not set up yet when this module loads)."""
    return message


# One line each for `houseboat --help`; a test keeps them equal to each command's help.
# Marked for the catalogues and translated when printed (the usage is printed before
# Django starts, so through the standard library's gettext and the same .mo files).
COMMANDS = {
    "demo": gettext_noop("Start a throwaway demo with sample data and print the sign-in details."),
    "serve": gettext_noop(
        "Run the web server for real use (production server, static files included)."
    ),
    "worker": gettext_noop(
        "Run the background worker, every lane at once; --lane NAME runs one, --once "
        "does all due work and exits."
    ),
    "createuser": gettext_noop("Create a person's account, optionally adding them to a team."),
    "team": gettext_noop("Create or list teams."),
    "campaign": gettext_noop("Create or list campaigns."),
    "export-site": gettext_noop("Write a campaign's public page and Atom feed as static files."),
    "channel": gettext_noop("Connect, list, check or remove a team's channels."),
    "post": gettext_noop(
        "Compose, list, show, approve or cancel posts, and decide about unclear deliveries."
    ),
    "import": gettext_noop(
        "Import a platform's export or collected posts into a campaign's archive."
    ),
    "column": gettext_noop(
        "Add, list, pause, resume or remove the live columns of a campaign's board."
    ),
    "search": gettext_noop(
        "Search a campaign's archive, with the same filters as the Archive page."
    ),
    "export": gettext_noop(
        "Write a campaign's archive to a folder in open formats, with a manifest of hashes."
    ),
    "verify": gettext_noop(
        "Check an archive export: name every file that changed, is missing or was added."
    ),
    "demand": gettext_noop(
        "Add, import, list, export demands made of the authorities, and record their status."
    ),
    "archive": gettext_noop(
        "Purge a campaign's archive, whole or older than a date (retention); custody stays."
    ),
    "media": gettext_noop(
        "Remove metadata from photos and videos, and blur faces, before they are published."
    ),
    "purge": gettext_noop(
        "Emergency: erase a team's protected personal data and channel credentials for good."
    ),
    "keys": gettext_noop(
        "Re-encrypt stored secrets under the newest encryption key, so old keys can be retired."
    ),
    "supporter": gettext_noop("Add, import, list, export or erase a team's supporters."),
    "action": gettext_noop(
        "Add or list a campaign's calls to action (events, petitions, donations, asks)."
    ),
    "funnel": gettext_noop(
        "Show a campaign's ladder of engagement as a table: reached, how fast, stalled."
    ),
    "report": gettext_noop(
        "Write a campaign's monitoring-and-evaluation report as PDF or HTML, with its CSVs."
    ),
    "radar": gettext_noop("Compare the press and the archive on a campaign's issue over a period."),
    "press": gettext_noop(
        "Add, list, fetch or resume the press feeds a team follows (the radar's press side)."
    ),
}

USAGE = gettext_noop("""usage: houseboat [--data-dir DIR] COMMAND [options]

houseboat keeps everything in its data directory: HOUSEBOAT_DATA_DIR, or
--data-dir, or ~/.local/share/houseboat. DATABASE_URL switches to PostgreSQL.

commands:
{commands}

Django's management commands work too (houseboat migrate, houseboat shell, ...):
`houseboat help --django` lists them. `houseboat COMMAND --help` explains one.
""")


LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def language() -> str:
    """Return the language the command line speaks: HOUSEBOAT_LANGUAGE, or English."""
    return os.environ.get("HOUSEBOAT_LANGUAGE", "").strip() or "en"


def translator() -> gettext.NullTranslations:
    return gettext.translation("django", LOCALE_DIR, languages=[language()], fallback=True)


def print_usage() -> None:
    tr = translator().gettext
    width = max(len(name) for name in COMMANDS)
    lines = "\n".join(f"  {name.ljust(width)}  {tr(text)}" for name, text in COMMANDS.items())
    print(tr(USAGE).format(commands=lines))


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
    speak(language())
    try:
        execute_from_command_line(["houseboat", *argv])
    except DatabaseError as exc:
        print(database_message(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def speak(code: str) -> None:
    """Activate the command line's language, if houseboat offers it (English otherwise)."""
    from django.conf import settings
    from django.utils import translation

    if code in dict(settings.LANGUAGES):
        translation.activate(code)


def database_message(exc: Exception) -> str:
    from django.conf import settings
    from django.utils.translation import gettext as gettext_django

    where = settings.DATABASES["default"]["NAME"]
    return gettext_django(
        "houseboat: the database %(where)s cannot be used: %(error)s.\n"
        "Check that HOUSEBOAT_DATA_DIR (or DATABASE_URL) points to the right place, that this "
        "user may write there, and that the database server is running. "
        "If this is a new install, run: houseboat migrate"
    ) % {"where": where, "error": str(exc).strip()}


if __name__ == "__main__":
    raise SystemExit(main())

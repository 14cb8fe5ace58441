import os
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat import demo, demo_folder
from houseboat.core import worker
from houseboat.core.commands import HouseboatCommand
from houseboat.core.server import make_server

MARKER = ".houseboat-demo"
# What houseboat writes into any data folder as it starts, before the demo can look:
# finding only these, the folder is still empty of data.
MADE_AT_START = {"secret_key", "static", demo_folder.OWNER_MARKER}


def made_at_start(path: Path) -> bool:
    # The database file is created empty and private before SQLite opens it.
    empty_database = path.name == "houseboat.sqlite3" and path.stat().st_size == 0
    return path.name in MADE_AT_START or empty_database


def check_data_dir(data_dir: Path) -> None:
    """Refuse to seed demo data into a folder that holds anything but a demo."""
    if (data_dir / MARKER).exists():
        return
    if any(not made_at_start(p) for p in data_dir.iterdir()):
        raise CommandError(
            _(
                "%(data_dir)s already holds data that is not a demo. houseboat demo will not write sample data into it. Leave out --data-dir (and HOUSEBOAT_DATA_DIR) for a throwaway demo, or give an empty folder."
            )
            % {"data_dir": data_dir}
        )
    (data_dir / MARKER).write_text("This folder holds houseboat demo data.\n", encoding="utf-8")


class Command(HouseboatCommand):
    help = gettext_lazy("Start a throwaway demo with sample data and print the sign-in details.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=int, default=8000, help=_("Port on 127.0.0.1 (default 8000).")
        )

    def handle(self, *args, port: int, **options):
        data_dir = Path(settings.DATA_DIR)
        throwaway = os.environ.get("HOUSEBOAT_DEMO_THROWAWAY") == "1"
        try:
            self.run_demo(data_dir, port, throwaway)
        finally:
            if throwaway:
                shutil.rmtree(data_dir, ignore_errors=True)

    def run_demo(self, data_dir: Path, port: int, throwaway: bool) -> None:
        check_data_dir(data_dir)
        server = make_server("127.0.0.1", port, threads=8)
        stop = threading.Event()
        background = threading.Thread(
            target=worker.run, kwargs={"once": False, "interval": 5.0, "stop": stop}, daemon=True
        )
        try:
            call_command("migrate", interactive=False, verbosity=0)
            password = demo.seed(port=port)
            background.start()
            self.announce(data_dir, port, password, throwaway)
            server.run()
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM and SIGHUP (see demo_folder)
            self.stdout.write(_("\nStopping the demo..."))
        finally:
            server.close()
            stop.set()
            if background.is_alive():
                background.join(timeout=10)
        self.stdout.write("Demo stopped." + (" Its data was deleted." if throwaway else ""))

    def announce(self, data_dir: Path, port: int, password: str, throwaway: bool) -> None:
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "houseboat demo is running.",
                    f"  Open:      {url}",
                    f"  Username:  {demo.OWNER}",
                    f"  Password:  {password}",
                    f"  Public page of the sample campaign: {url}c/free-the-riverside-ten/",
                    f"  Data:      {data_dir}"
                    + ("  (deleted when the demo stops)" if throwaway else ""),
                    "Press Ctrl-C to stop.",
                    "",
                ]
            )
        )
        self.stdout.flush()

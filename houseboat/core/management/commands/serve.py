import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core import worker
from houseboat.core.commands import HouseboatCommand
from houseboat.core.server import make_server


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Run the web server for real use (production server, static files included)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help=_("Address to listen on (default 127.0.0.1).")
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--threads", type=int, default=8, help=_("Requests handled at once (default 8).")
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help=_(
                "Do not apply database migrations at start (when several hosts share one database)."
            ),
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help=_(
                "Also run the background worker in this process, so scheduled posts go out "
                "without a second command (one machine, one process)."
            ),
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        threads: int,
        no_migrate: bool,
        with_worker: bool = False,
        **options,
    ):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        server = make_server(host, port, threads)
        background = worker.in_background() if with_worker else nullcontext()
        with sigterm_as_ctrl_c() if with_worker else nullcontext(), background:
            self.stdout.write(
                _("houseboat is serving on http://%(host)s:%(port)s/ (Ctrl-C to stop)")
                % {"host": host, "port": port}
            )
            if with_worker:
                self.stdout.write(_("The worker runs in this process: scheduled posts go out."))
            self.stdout.flush()
            try:
                server.run()
            except KeyboardInterrupt:
                self.stdout.write(
                    "Stopping"
                    + (" (the worker finishes what it is doing)..." if with_worker else "...")
                )
            finally:
                server.close()
        self.stdout.write(_("Stopped."))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """Treat SIGTERM (a service manager stopping us) as Ctrl-C, so the worker stops cleanly
    instead of dying mid-delivery; its lease would cover that, but a clean stop is quicker."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

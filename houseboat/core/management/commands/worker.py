import signal
import threading

from houseboat.core import worker
from houseboat.core.commands import HouseboatCommand


class Command(HouseboatCommand):
    help = "Run the background worker; --once does all due work and exits."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Do all due work, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between rounds (default 5)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        stop = threading.Event()
        # SIGTERM and Ctrl-C let the current step finish, then the worker exits.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        if not once:
            self.stdout.write(f"houseboat worker running (every {interval:g}s). Ctrl-C to stop.")
        done = worker.run(once=once, interval=interval, stop=stop)
        self.stdout.write(f"Worker stopped after {done} piece(s) of work.")

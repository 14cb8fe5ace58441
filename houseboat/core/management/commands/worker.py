import signal
import threading

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core import worker
from houseboat.core.commands import HouseboatCommand


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Run the background worker, every lane at once; --lane NAME runs one, --once "
        "does all due work and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lane",
            action="append",
            dest="lanes",
            metavar="NAME",
            help="Run only this lane (repeat for several): " + ", ".join(worker.lane_names()) + ".",
        )
        parser.add_argument(
            "--once", action="store_true", help=_("Do all due work in each lane, then exit.")
        )
        parser.add_argument(
            "--interval", type=float, default=5.0, help=_("Seconds between rounds (default 5).")
        )

    def handle(self, *args, once: bool, interval: float, lanes: list[str] | None, **options):
        for lane in lanes or []:
            if lane not in worker.lane_names():
                raise CommandError(
                    _("There is no worker lane %(lane)r. The lanes are: %(value)s.")
                    % {"lane": lane, "value": ", ".join(worker.lane_names())}
                )
        stop = threading.Event()
        # SIGTERM and Ctrl-C let each lane finish the job in hand, then the worker exits.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        chosen = lanes or worker.lane_names()
        if not once:
            self.stdout.write(
                f"houseboat worker running lanes {', '.join(chosen)} (every {interval:g}s). "
                "Ctrl-C to stop."
            )
        done = worker.run(once=once, interval=interval, stop=stop, lanes=chosen)
        self.stdout.write(_("Worker stopped after %(done)s piece(s) of work.") % {"done": done})

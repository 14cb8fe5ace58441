from django.core.management import call_command

from houseboat.core.commands import HouseboatCommand
from houseboat.core.server import make_server


class Command(HouseboatCommand):
    help = "Run the web server for real use (production server, static files included)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--threads", type=int, default=8, help="Requests handled at once (default 8)."
        )
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Do not apply database migrations at start (when several hosts share one database).",
        )

    def handle(self, *args, host: str, port: int, threads: int, no_migrate: bool, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        server = make_server(host, port, threads)
        self.stdout.write(f"houseboat is serving on http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
        self.stdout.write("Stopped.")

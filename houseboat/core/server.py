"""Run the WSGI app under waitress, a production server that needs no compiler."""

import errno

from django.core.management.base import CommandError
from waitress.server import create_server

from houseboat.wsgi import application


def make_server(host: str, port: int, threads: int):
    """Bind the port now, so a busy port is a clear error, not a traceback."""
    try:
        return create_server(application, host=host, port=port, threads=threads, ident="houseboat")
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"Port {port} on {host} is already in use. Choose another with --port, "
                f"for example --port {port + 1}."
            ) from exc
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}") from exc

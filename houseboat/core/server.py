"""Run the WSGI app under waitress, a production server that needs no compiler."""

import errno

from django.conf import settings
from django.core.management.base import CommandError
from waitress.server import create_server

from houseboat.wsgi import application


def make_server(host: str, port: int, threads: int):
    """Bind the port now, so a busy port is a clear error, not a traceback."""
    # waitress deletes X-Forwarded-* headers unless told to trust the peer. Behind the TLS
    # proxy (HOUSEBOAT_BEHIND_PROXY) Django must see them: X-Forwarded-Proto tells it the
    # visitor used HTTPS (else sign-in fails the CSRF origin check and no HSTS is sent), and
    # X-Forwarded-For gives the audit log and the lock-out the visitor's address
    # (HOUSEBOAT_PROXY_COUNT). Without a proxy they stay deleted, so nobody can forge them.
    behind_proxy = bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None))
    try:
        return create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            ident="houseboat",
            clear_untrusted_proxy_headers=not behind_proxy,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CommandError(
                f"Port {port} on {host} is already in use. Choose another with --port, "
                f"for example --port {port + 1}."
            ) from exc
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}") from exc

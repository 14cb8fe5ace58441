"""E-mail that something waits: a post to approve, an open alert, a dead-man check-in.

The upper apps register a ``Source`` in their ``AppConfig.ready()`` (as with
``houseboat.core.hooks``): a function that finds, at a moment, what waits and for whom.
The worker's ``step`` turns what was found into ``MailNotice`` rows, one per person and
key, and sends each once over the install's SMTP server (Django's e-mail settings, from
``HOUSEBOAT_EMAIL_*``). Never inside a web request, and never with the post's or the
alert's content: a mailbox can be read by others, so the mail only says that something
waits, with a link.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django.utils.translation import gettext as _

from houseboat.core.models import MailNotice, Team, User

log = logging.getLogger(__name__)

BATCH = 50  # mails per round at most, so one round stays short


@dataclass(frozen=True)
class Notice:
    """Something that waits for some people: what to say, where to look, and a key that
    stays the same for as long as it is the same thing waiting."""

    key: str
    team: Team
    users: Sequence[User]
    text: str
    path: str


Source = Callable[[datetime], Iterable[Notice]]
SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Add (or replace, by name) a source of notices; call from an ``AppConfig.ready()``."""
    SOURCES[name] = source


def enabled() -> bool:
    """Tell whether this install has an SMTP server to send notices through."""
    return bool(settings.EMAIL_HOST)


def step(name: str) -> int:
    """Find what waits, queue one notice per person and thing, and send what is due.

    Return how many mails went out. Does nothing without an SMTP server.
    """
    if not enabled():
        return 0
    queue(timezone.now())
    return send_due()


def queue(now: datetime) -> int:
    """Make the notice rows for what waits now; a row that exists already is kept."""
    rows = [
        MailNotice(user=user, team=notice.team, key=notice.key, text=notice.text, path=notice.path)
        for source in SOURCES.values()
        for notice in source(now)
        for user in notice.users
        if user.email
    ]
    made = MailNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(made)


def send_due() -> int:
    """Send each notice not tried yet, claiming it first so no two workers both send it."""
    due = list(
        MailNotice.objects.filter(attempted_at__isnull=True)
        .select_related("user", "team")
        .order_by("created_at", "id")[:BATCH]
    )
    if not due:
        return 0
    sent = 0
    with get_connection(fail_silently=False) as connection:
        for notice in due:
            claimed = MailNotice.objects.filter(pk=notice.pk, attempted_at__isnull=True).update(
                attempted_at=timezone.now()
            )
            if claimed and deliver(notice, connection):
                sent += 1
    return sent


def deliver(notice: MailNotice, connection) -> bool:
    """Send one notice and record the outcome; a failure is kept, never retried."""
    message = EmailMessage(
        subject=_("houseboat: something waits for you in %(team)s") % {"team": notice.team.name},
        body=body(notice),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.user.email],
        connection=connection,
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # The address is personal data: the log names the row, not the person.
        log.warning("e-mail notice %s was not sent: %s", notice.pk, type(error).__name__)
        MailNotice.objects.filter(pk=notice.pk).update(error=str(error)[:300])
        return False
    MailNotice.objects.filter(pk=notice.pk).update(sent_at=timezone.now())
    return True


def body(notice: MailNotice) -> str:
    """The words of the mail: what waits and where, nothing of the content itself."""
    link = settings.HOUSEBOAT_PUBLIC_URL.rstrip("/") + notice.path
    return "\n\n".join(
        [
            notice.text,
            _("Open houseboat to see it: %(link)s") % {"link": link},
            _(
                "This e-mail says only that something waits; what it is stays in houseboat. "
                "To stop these e-mails, remove your address under “Your security”."
            ),
        ]
    )

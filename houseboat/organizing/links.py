"""Short tracked links: one per action and channel or post, counting clicks, never clickers.

``/r/<code>`` adds one to the link's count and sends the visitor to the action's
public page with UTM parameters and ``via=<code>``; the page's form carries the
code, so an answer is tied to the channel and post that brought it. Nothing about
the visitor (address, browser, referrer) is read or kept.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from houseboat.connectors.models import Channel
from houseboat.organizing.models import CallToAction, TrackedLink
from houseboat.publishing.models import Post

# No 0/O/1/l/I: codes are read aloud and typed from posters.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 7
MESSAGING = {"whatsapp", "telegram", "email"}


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def make_link(
    action: CallToAction,
    *,
    channel: Channel | None = None,
    post: Post | None = None,
    source: str = "",
    label: str = "",
) -> TrackedLink:
    """Create a tracked link for the action on a channel (or a named place like “poster”)."""
    source = (source or (channel.network if channel else "direct"))[:40]
    for _ in range(5):
        try:
            with transaction.atomic():
                return TrackedLink.objects.create(
                    action=action,
                    code=new_code(),
                    channel=channel,
                    post=post,
                    source=source,
                    label=label[:120],
                )
        except IntegrityError:
            continue  # the same code drawn twice: draw again
    raise RuntimeError("Could not draw a free link code; try again.")


def short_path(link: TrackedLink) -> str:
    return reverse("tracked_link", kwargs={"code": link.code})


def short_url(link: TrackedLink) -> str:
    base = getattr(settings, "HOUSEBOAT_PUBLIC_URL", "").rstrip("/")
    return f"{base}{short_path(link)}"


def utm(link: TrackedLink) -> dict[str, str]:
    return {
        "utm_source": link.source,
        "utm_medium": "messaging" if link.source in MESSAGING else "social",
        "utm_campaign": link.action.campaign.slug,
        "utm_content": link.code,
    }


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in [parts.query, urlencode(params)] if q)
    return urlunsplit(parts._replace(query=query))


def destination(link: TrackedLink) -> str:
    return with_query(link.action.public_path(), {**utm(link), "via": link.code})


def count_click(code: str) -> TrackedLink | None:
    """Add one click to the link and return it (None for an unknown code)."""
    today = timezone.localdate()
    updated = TrackedLink.objects.filter(code=code).update(
        clicks=F("clicks") + 1, last_clicked_on=today
    )
    if not updated:
        return None
    return TrackedLink.objects.select_related("action__campaign").get(code=code)


def link_for_code(action: CallToAction, code: str) -> TrackedLink | None:
    """Return the action's link with this code, if the visitor came by one."""
    if not code or len(code) > 16:
        return None
    return TrackedLink.objects.filter(action=action, code=code).first()

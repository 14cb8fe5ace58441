"""The board's columns: add, pause, resume, move, remove and mark read, for the page and the CLI.

Every change goes through here, so the web page and ``houseboat column`` check the
same things and say the same words when something is wrong.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.models import User
from houseboat.listening.constants import ColumnKind
from houseboat.listening.models import DEFAULT_POLL_SECONDS, Column, ColumnItem, ColumnReadMark

# Shortest time between two reads of one column: kinder to the networks' limits.
MIN_POLL_SECONDS = 30
MAX_POLL_SECONDS = 24 * 3600
# What people type for a kind, besides the kinds' own names.
KIND_ALIASES = {"keywords": ColumnKind.KEYWORD, "tag": ColumnKind.HASHTAG}
# Kinds that read the account itself and need no query.
NO_QUERY = {ColumnKind.MENTIONS, ColumnKind.CHATS, ColumnKind.PAGE}


class ColumnError(ValueError):
    """What was asked of a column cannot be done; the message says why and what to do."""


def kind_of(text: str) -> str:
    """Return the column kind a person named ("keywords" is "keyword"), or refuse it."""
    value = text.strip().lower()
    value = KIND_ALIASES.get(value, value)
    if value not in ColumnKind.values:
        names = ", ".join(k for k in ColumnKind.values if k != ColumnKind.KEYWORD)
        raise ColumnError(f"There is no column kind {text!r}. The kinds are: keywords, {names}.")
    return value


def team_channel(campaign: Campaign, name: str) -> Channel:
    """Find the campaign's team's channel by name (or number); refuse unknown or unclear ones."""
    channels = Channel.objects.filter(team=campaign.team)
    found = list(channels.filter(name__iexact=name.strip()))
    if not found and name.strip().isdigit():
        found = list(channels.filter(pk=int(name)))
    if len(found) == 1:
        return found[0]
    names = ", ".join(sorted(channels.values_list("name", flat=True))) or "none yet"
    if found:
        raise ColumnError(f"Several channels are named {name!r}: give its number instead.")
    raise ColumnError(f"The team has no channel {name!r}. Its channels: {names}.")


def check_feed_address(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ColumnError(
            f"{url!r} is not a feed address: give the whole address, starting with https://."
        )
    return url


@transaction.atomic
def add_column(
    campaign: Campaign,
    *,
    kind: str,
    query: str = "",
    channel: Channel | None = None,
    allow_private_network: bool = False,
    every: int | None = None,
    created_by: User | None = None,
) -> Column:
    """Add a column at the end of the campaign's board; it is read in the next round."""
    kind = kind_of(kind)
    query = query.strip()
    interval = DEFAULT_POLL_SECONDS if every is None else every
    if not MIN_POLL_SECONDS <= interval <= MAX_POLL_SECONDS:
        raise ColumnError(
            f"Read a column every {MIN_POLL_SECONDS} seconds at the most often, "
            f"and at least once a day ({MAX_POLL_SECONDS} seconds)."
        )
    if kind == ColumnKind.FEED:
        if channel is not None:
            raise ColumnError("A feed column needs no channel: give only the feed's address.")
        query = check_feed_address(query)
    else:
        check_channel_kind(campaign, channel, kind, query)
        if allow_private_network:
            raise ColumnError(
                "Only a feed column takes --allow-private-network; a channel's own "
                "setting decides for its columns."
            )
    last = Column.objects.filter(campaign=campaign).aggregate(last=Max("position"))["last"]
    return Column.objects.create(
        campaign=campaign,
        channel=channel,
        kind=kind,
        query=query,
        allow_private_network=allow_private_network,
        interval_seconds=interval,
        position=0 if last is None else last + 1,
        created_by=created_by,
    )


def check_channel_kind(campaign: Campaign, channel: Channel | None, kind: str, query: str) -> None:
    label = ColumnKind(kind).label
    if channel is None:
        raise ColumnError(f"A {label} column reads through a channel: name one with --channel.")
    if channel.team_id != campaign.team_id:
        raise ColumnError("That channel belongs to another team.")
    sources = channel.manifest.get("sources", [])
    if kind not in sources:
        can = ", ".join(str(ColumnKind(s).label) for s in sources if s in ColumnKind.values)
        raise ColumnError(
            f"{channel.name} ({channel.manifest['label']}) cannot read a {label} column. "
            f"It can read: {can or 'nothing yet'}."
        )
    if not query and kind not in NO_QUERY:
        raise ColumnError(f"Say what the {label} column reads: give --query.")


def board(campaign: Campaign) -> QuerySet[Column]:
    return (
        Column.objects.filter(campaign=campaign)
        .select_related("channel")
        .order_by("position", "id")
    )


def pause_column(column: Column, reason: str = "Paused by a person.") -> None:
    Column.objects.filter(pk=column.pk).update(paused=True, pause_reason=reason[:600])


def resume_column(column: Column) -> None:
    """Read the column again from the next round, with a clean slate of failures."""
    Column.objects.filter(pk=column.pk).update(
        paused=False, pause_reason="", failures=0, last_error="", next_poll_at=timezone.now()
    )


def remove_column(column: Column) -> None:
    """Remove the column; the items it brought in stay in the archive."""
    column.delete()


@transaction.atomic
def move_column(column: Column, step: int) -> None:
    """Move a column left (step -1) or right (+1) on its board."""
    columns = list(board(column.campaign))
    index = next(i for i, c in enumerate(columns) if c.pk == column.pk)
    target = index + step
    if not 0 <= target < len(columns):
        return
    columns[index], columns[target] = columns[target], columns[index]
    for position, each in enumerate(columns):
        if each.position != position:
            Column.objects.filter(pk=each.pk).update(position=position)


def mark_read(column: Column, user: User) -> int:
    """Mark everything the column shows now as read, for this person only."""
    newest = ColumnItem.objects.filter(column=column).aggregate(last=Max("id"))["last"] or 0
    ColumnReadMark.objects.update_or_create(
        column=column,
        user=user,
        defaults={"read_through": newest, "marked_at": timezone.now()},
    )
    return newest


def read_through(column: Column, user: User) -> int:
    mark = ColumnReadMark.objects.filter(column=column, user=user).first()
    return mark.read_through if mark else 0


def unread_count(column: Column, user: User) -> int:
    return ColumnItem.objects.filter(column=column, id__gt=read_through(column, user)).count()


def column_state(column: Column) -> str:
    """The column's state in words, for the board and the CLI."""
    if column.paused:
        return f"paused: {column.pause_reason}" if column.pause_reason else "paused"
    if column.last_error:
        return f"trouble: {column.last_error}"
    if column.last_polled_at is None:
        return "waiting for its first read"
    return "reading"

"""File into the team inbox what the team's accounts received: a worker step over new items.

Like the alert check (:mod:`houseboat.listening.alerting`), each campaign has a
checkpoint, the id of the last archive item read; the step reads the items past it in
id order, under the campaign's lock, and files those that are

- a reply to one of the team's sent posts (its ``reply_to_id`` is the id, or the
  address, a delivery got back from the network), or to a post of one of the team's
  own accounts that the archive holds;
- a comment on the team's Facebook Page;
- a mention of one of the team's accounts (the channels' handles, compared without
  "@", case, and for Mastodon with the server a bare "@name" belongs to);
- a direct message: a private chat with the team's Telegram bot, a Mastodon post
  addressed only to the people it mentions;
- a reply to an item already filed (the conversation goes on under it), unless that
  item was only a mention.

Reposts and what the team's own accounts wrote are never filed. Entries and the new
checkpoint are stored in one transaction, and an item has one entry at most, so an
item is filed exactly once across crashes, reruns and two workers. Where an item came
from (an import or a live column) does not matter.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property
from typing import Any

import orjson
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.inbox.constants import EntryKind, EntryState
from houseboat.inbox.handles import handle_key, host_of
from houseboat.inbox.models import InboxCheckpoint, InboxEntry
from houseboat.listening.alerting import before_running_imports
from houseboat.listening.models import Item
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery

FILE_BATCH = 2000
# An item older than this when it is filed (an import of last year's mentions) is filed
# as done: it is there to read and answer, but it does not fill the open list.
OPEN_FOR = timedelta(days=14)


def file_new_items(name: str) -> int:
    """Worker step: read up to FILE_BATCH new items into the inbox; return how many were read."""
    read = 0
    for campaign in Campaign.objects.select_related("team").order_by("pk"):
        read += file_campaign(campaign, limit=FILE_BATCH - read)
        if read >= FILE_BATCH:
            break
    return read


def file_all(campaign: Campaign) -> int:
    """Read every item of the campaign not yet read (for the demo and tests); return how many."""
    total = 0
    while read := file_campaign(campaign):
        total += read
    return total


class FiledMeanwhile(Exception):
    """Another worker moved the checkpoint first: its entries stand, ours are rolled back."""


def file_campaign(campaign: Campaign, *, limit: int = FILE_BATCH) -> int:
    """File the campaign's items past its checkpoint (up to limit); return how many were read."""
    if limit <= 0:
        return 0
    checkpoint, _ = InboxCheckpoint.objects.get_or_create(campaign=campaign)
    start = checkpoint.item_id
    with transaction.atomic():
        # Waits for a batch of this campaign still being written (its lower ids).
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        rows = list(
            Item.objects.filter(campaign=campaign, id__gt=start)
            .order_by("id")
            .values_list(
                "id",
                "network",
                "remote_id",
                "reply_to_id",
                "repost_of_id",
                "mentions",
                "url",
                "author__handle",
                "created_at",
                "captured_at",
                "capture_id",
            )[:limit]
        )
        rows = before_running_imports(rows)
    if not rows:
        return 0
    entries = Filer(campaign, [Row(*row) for row in rows]).entries()
    try:
        with transaction.atomic():
            InboxEntry.objects.bulk_create(entries, ignore_conflicts=True)
            moved = InboxCheckpoint.objects.filter(pk=checkpoint.pk, item_id=start).update(
                item_id=rows[-1][0]
            )
            if moved != 1:
                raise FiledMeanwhile
    except FiledMeanwhile:
        return 0
    return len(rows)


@dataclass(frozen=True)
class Row:
    """What the filing step reads of an archive item."""

    id: int
    network: str
    remote_id: str
    reply_to_id: str
    repost_of_id: str
    mentions: list
    url: str
    author_handle: str | None
    created_at: Any
    captured_at: Any
    capture_id: int | None

    @cached_property
    def instance(self) -> str:
        """The Mastodon server the item was written on: its author's, else its address's."""
        author = handle_key("mastodon", self.author_handle or "")
        return author.partition("@")[2] or host_of(self.url)

    def key(self, handle: str) -> str:
        return handle_key(self.network, handle, instance=self.instance)


@dataclass
class Accounts:
    """The team's accounts: their handles per network, their Facebook Pages."""

    handles: dict[str, dict[str, Channel]] = field(default_factory=lambda: defaultdict(dict))
    pages: dict[str, Channel] = field(default_factory=dict)
    by_network: dict[str, list[Channel]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of_team(cls, team_id: int) -> Accounts:
        accounts = cls()
        for channel in Channel.objects.filter(team_id=team_id).order_by("pk"):
            accounts.by_network[channel.network].append(channel)
            for handle in channel_handles(channel):
                accounts.handles[channel.network].setdefault(handle, channel)
            page_id = str((channel.config or {}).get("page_id") or "").strip()
            if channel.network == "facebook" and page_id:
                accounts.pages.setdefault(page_id, channel)
        return accounts

    def named(self, row: Row, handle: str) -> Channel | None:
        """Return the team's channel this handle (as written in the row) names, if any."""
        ours = self.handles.get(row.network)
        if not ours:
            return None  # no account of the team's on that network: nothing to compare
        key = row.key(handle)
        return ours.get(key) if key else None


def channel_handles(channel: Channel) -> set[str]:
    """Return every form of the channel's account handle that items may use."""
    config = channel.config or {}
    instance = host_of(str(config.get("base_url") or "")) if channel.network == "mastodon" else ""
    written = [channel.account_handle]
    if channel.network == "telegram" and str(config.get("chat_id", "")).startswith("@"):
        written.append(str(config["chat_id"]))
    keys = {handle_key(channel.network, handle, instance=instance) for handle in written}
    return {key for key in keys if key}


class Filer:
    """Decide which rows of one batch become entries, and what each answers."""

    def __init__(self, campaign: Campaign, rows: list[Row]):
        self.campaign = campaign
        self.rows = rows
        self.accounts = Accounts.of_team(campaign.team_id)
        self.sent = sent_deliveries(campaign.team_id, rows)
        self.earlier = earlier_items(campaign, rows)
        self.filed = filed_kinds(campaign, self.earlier.values())
        self.direct = direct_ids(rows)
        self.now = timezone.now()

    def entries(self) -> list[InboxEntry]:
        made = []
        for row in self.rows:
            entry = self.entry(row)
            if entry is not None:
                made.append(entry)
                self.filed[(row.network, row.remote_id)] = (entry.kind, entry.channel)
        return made

    def entry(self, row: Row) -> InboxEntry | None:
        """Return the row's entry, or None when it is not for the inbox."""
        if row.repost_of_id or self.ours(row):
            return None
        found = self.classify(row)
        if found is None:
            return None
        kind, channel, delivery = found
        parent = self.earlier.get((row.network, row.reply_to_id)) if row.reply_to_id else None
        received = row.created_at or row.captured_at
        old = received is not None and received < self.now - OPEN_FOR
        return InboxEntry(
            team_id=self.campaign.team_id,
            campaign=self.campaign,
            item_id=row.id,
            kind=kind,
            network=row.network,
            received_at=received or self.now,
            channel=channel,
            answers_delivery=delivery,
            answers_item_id=parent.id if parent else None,
            state=EntryState.DONE if old else EntryState.OPEN,
            done_at=self.now if old else None,
        )

    def ours(self, row: Row) -> bool:
        """Tell whether one of the team's accounts wrote it (sent by houseboat, or not)."""
        if (row.network, row.remote_id) in self.sent:
            return True
        return bool(row.author_handle) and self.accounts.named(row, row.author_handle) is not None

    def classify(self, row: Row) -> tuple[str, Channel | None, Delivery | None] | None:
        """Return (kind, receiving channel, answered delivery), or None when not for us."""
        reply_kind = EntryKind.COMMENT if row.network == "facebook" else EntryKind.REPLY
        delivery = self.sent.get((row.network, row.reply_to_id)) if row.reply_to_id else None
        mentioned = next(
            (c for h in row.mentions or () if (c := self.accounts.named(row, str(h)))), None
        )
        if row.id in self.direct:
            channels = self.accounts.by_network.get(row.network) or [None]
            if row.network == "telegram" or mentioned is not None:
                return EntryKind.DIRECT, mentioned or channels[0], delivery
        if delivery is not None:
            return reply_kind, delivery.variant.channel, delivery
        parent = self.earlier.get((row.network, row.reply_to_id)) if row.reply_to_id else None
        if parent is not None and parent.author_handle:
            owner = self.accounts.named(row, parent.author_handle)
            if owner is not None:
                return reply_kind, owner, None
        page = self.page_of(row)
        if page is not None:
            return EntryKind.COMMENT, page, None
        before = self.filed.get((row.network, row.reply_to_id)) if row.reply_to_id else None
        if before is not None and before[0] != EntryKind.MENTION:
            return before[0], before[1], None
        if mentioned is not None:
            return EntryKind.MENTION, mentioned, None
        return None

    def page_of(self, row: Row) -> Channel | None:
        """Return the team's Facebook Page a comment was left on (Page post ids start with
        the Page's id: "<page>_<post>")."""
        if row.network != "facebook" or "_" not in row.reply_to_id:
            return None
        return self.accounts.pages.get(row.reply_to_id.split("_", 1)[0])


def published_keys(delivery: Delivery) -> set[str]:
    """Return the ids an item may give for this sent post when it replies to it.

    Telegram items name a message "<chat id>:<message id>"; the Bot API answers a send
    with the message id alone and the chat apart.
    """
    keys = {delivery.remote_id, delivery.remote_url} - {""}
    extra = delivery.extra or {}
    if extra.get("chat_id") not in (None, ""):
        for number in extra.get("message_ids") or [delivery.remote_id]:
            keys.add(f"{extra['chat_id']}:{number}")
    return keys


def sent_deliveries(team_id: int, rows: Iterable[Row]) -> dict[tuple[str, str], Delivery]:
    """Return the team's sent deliveries these rows reply to or are, by (network, id)."""
    wanted: set[str] = set()
    for row in rows:
        for value in (row.reply_to_id, row.remote_id):
            if value:
                wanted.add(value)
                if row.network == "telegram":
                    wanted.add(value.rsplit(":", 1)[-1])
    if not wanted:
        return {}
    addresses = {value for value in wanted if value.startswith(("http://", "https://"))}
    found = (
        Delivery.objects.filter(state=DeliveryState.SENT, variant__channel__team_id=team_id)
        .filter(Q(remote_id__in=wanted - addresses) | Q(remote_url__in=addresses))
        .select_related("variant__channel")
    )
    by_key = {}
    for delivery in found:
        for key in published_keys(delivery):
            by_key[(delivery.variant.channel.network, key)] = delivery
    return by_key


@dataclass(frozen=True)
class Earlier:
    id: int
    author_handle: str


def earlier_items(campaign: Campaign, rows: Iterable[Row]) -> dict[tuple[str, str], Earlier]:
    """Return the campaign's archive items these rows reply to, by (network, remote id)."""
    replied: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.reply_to_id:
            replied[row.network].add(row.reply_to_id)
    found = {}
    for network, ids in replied.items():
        for pk, remote_id, handle in Item.objects.filter(
            campaign=campaign, network=network, remote_id__in=ids
        ).values_list("id", "remote_id", "author__handle"):
            found[(network, remote_id)] = Earlier(pk, handle or "")
    return found


def filed_kinds(
    campaign: Campaign, earlier: Iterable[Earlier]
) -> dict[tuple[str, str], tuple[str, Channel | None]]:
    """Return the kind and channel of the earlier items already in the inbox."""
    ids = [item.id for item in earlier]
    if not ids:
        return {}
    return {
        (entry.network, entry.item.remote_id): (entry.kind, entry.channel)
        for entry in InboxEntry.objects.filter(campaign=campaign, item_id__in=ids).select_related(
            "item", "channel"
        )
    }


def direct_ids(rows: Iterable[Row]) -> set[int]:
    """Return the ids of the rows that are direct messages, as their raw payloads say.

    Only the payloads that can say so are read: every Telegram item (a private chat
    with the bot), and the Mastodon items that mention someone.
    """
    ids = [
        row.id
        for row in rows
        if row.network == "telegram" or (row.network == "mastodon" and row.mentions)
    ]
    if not ids:
        return set()
    found = set()
    for pk, network, raw in Item.objects.filter(pk__in=ids).values_list("pk", "network", "raw"):
        try:
            payload = orjson.loads(zlib.decompress(bytes(raw)))
        except (zlib.error, orjson.JSONDecodeError):
            continue  # a payload that cannot be read says nothing about who it was for
        if is_direct(network, payload):
            found.add(pk)
    return found


def is_direct(network: str, raw: Any) -> bool:
    """Tell whether a raw payload is a direct message to the team's account.

    Telegram: a Bot API update whose chat is private (a person writing to the bot).
    Mastodon: a status whose visibility is "direct" (only the people it mentions see it).
    """
    if not isinstance(raw, Mapping):
        return False
    if network == "telegram":
        message = next(
            (
                raw[key]
                for key in ("message", "edited_message")
                if isinstance(raw.get(key), Mapping)
            ),
            None,
        )
        chat = message.get("chat") if message is not None else None
        return isinstance(chat, Mapping) and chat.get("type") == "private"
    if network == "mastodon":
        return raw.get("visibility") == "direct"
    return False

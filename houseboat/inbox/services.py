"""What members do with inbox entries: assign, tag, close, reopen and reply.

Every function takes the acting person's membership and checks what their role
allows, as the publishing services do: anyone who drafts may handle the inbox; a
reply goes out through the publishing services, so an editor's reply is scheduled
at once and sent by the dispatcher with its guarantees, and a contributor's waits
for an editor's approval. Each change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import regex
from django.db import transaction
from django.utils import timezone

from houseboat.connectors.models import Channel
from houseboat.core.access import require
from houseboat.core.constants import AuditAction, Capability
from houseboat.core.models import Membership, User
from houseboat.core.services import audit
from houseboat.inbox.constants import EntryKind, EntryState
from houseboat.inbox.models import InboxEntry, InboxTag
from houseboat.publishing import services as publishing
from houseboat.publishing.models import Post, Variant

MAX_TAGS = 10
TAG_LENGTH = 40
# A tag is a word or a few, in any script: letters, digits, spaces, "-" and "_".
TAG_RE = regex.compile(r"[\p{L}\p{N}\p{M} _-]+")


class InboxError(ValueError):
    """What a person asked for cannot be done as it is; the message says why."""


def _own(membership: Membership, entry: InboxEntry) -> None:
    """Refuse an entry of another team as if it did not exist, and a role that only reads."""
    if entry.team_id != membership.team_id:
        raise InboxEntry.DoesNotExist("No such inbox entry.")
    require(membership, Capability.DRAFT)


def _label(entry: InboxEntry) -> str:
    return f"inbox entry {entry.pk} ({entry.network})"


@transaction.atomic
def assign(membership: Membership, entry: InboxEntry, assignee: User | None) -> InboxEntry:
    """Give the entry to a member of the team (None: to nobody)."""
    _own(membership, entry)
    if (
        assignee is not None
        and not Membership.objects.filter(team_id=entry.team_id, user=assignee).exists()
    ):
        raise InboxError("Only a member of the team can be given an inbox entry.")
    if entry.assignee_id == (assignee.pk if assignee else None):
        return entry
    entry.assignee = assignee
    entry.save(update_fields=["assignee"])
    audit(
        AuditAction.INBOX_ASSIGNED,
        actor=membership.user,
        team=membership.team,
        target=_label(entry),
        detail=f"to {assignee.get_username()}" if assignee else "to nobody",
    )
    return entry


def clean_tags(words: str | Iterable[str]) -> list[str]:
    """Return the tags in a comma-separated text (or a list), lower-cased, once each."""
    parts = words.split(",") if isinstance(words, str) else list(words)
    tags = []
    for part in parts:
        tag = " ".join(str(part).split()).casefold().lstrip("#")
        if not tag:
            continue
        if len(tag) > TAG_LENGTH or not TAG_RE.fullmatch(tag):
            raise InboxError(
                f"“{tag[:TAG_LENGTH]}” cannot be a tag: use up to {TAG_LENGTH} letters, digits, "
                "spaces, - or _, and commas between tags."
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise InboxError(f"An entry takes at most {MAX_TAGS} tags.")
    return tags


@transaction.atomic
def set_tags(membership: Membership, entry: InboxEntry, words: str | Iterable[str]) -> list[str]:
    """Replace the entry's tags with these; return them."""
    _own(membership, entry)
    tags = clean_tags(words)
    before = list(entry.tags.values_list("tag", flat=True))
    if sorted(before) == sorted(tags):
        return tags
    entry.tags.exclude(tag__in=tags).delete()
    InboxTag.objects.bulk_create(
        [InboxTag(entry=entry, tag=tag) for tag in tags if tag not in before],
        ignore_conflicts=True,
    )
    audit(
        AuditAction.INBOX_TAGGED,
        actor=membership.user,
        team=membership.team,
        target=_label(entry),
        detail=", ".join(tags) or "no tags",
    )
    return tags


@transaction.atomic
def mark_done(membership: Membership, entry: InboxEntry) -> InboxEntry:
    """Close the entry: nothing more to do about it."""
    _own(membership, entry)
    if entry.state == EntryState.DONE:
        return entry
    entry.state, entry.done_at, entry.done_by = EntryState.DONE, timezone.now(), membership.user
    entry.save(update_fields=["state", "done_at", "done_by"])
    audit(AuditAction.INBOX_DONE, actor=membership.user, team=membership.team, target=_label(entry))
    return entry


@transaction.atomic
def reopen(membership: Membership, entry: InboxEntry) -> InboxEntry:
    """Open a closed entry again."""
    _own(membership, entry)
    if entry.state == EntryState.OPEN:
        return entry
    entry.state, entry.done_at, entry.done_by = EntryState.OPEN, None, None
    entry.save(update_fields=["state", "done_at", "done_by"])
    audit(
        AuditAction.INBOX_REOPENED,
        actor=membership.user,
        team=membership.team,
        target=_label(entry),
    )
    return entry


def reply_channels(entry: InboxEntry) -> list[Channel]:
    """Return the team's channels a reply to this entry can go out on: its network's."""
    return list(Channel.objects.filter(team_id=entry.team_id, network=entry.network))


def reply_target(entry: InboxEntry) -> dict[str, Any]:
    """Return what the reply answers, as the dispatcher hands it to the connector.

    Telegram needs the chat as well as the message: a direct message is answered in
    the person's private chat with the bot, not in the team's channel.
    """
    item = entry.item
    extra: dict[str, Any] = {}
    if entry.network == "telegram" and ":" in item.remote_id:
        extra["chat_id"] = item.remote_id.rsplit(":", 1)[0]
    if entry.network == "bluesky":
        extra["uri"] = item.remote_id
    return {"remote_id": item.remote_id, "url": item.web_url, "extra": extra}


@transaction.atomic
def reply(
    membership: Membership, entry: InboxEntry, *, text: str, channel: Channel | None = None
) -> Post:
    """Write a reply on the network the entry came from, answering the entry's item.

    An editor's reply is scheduled at once; a contributor's is sent for approval. A
    reply that the network would refuse (too long, say) is refused here, and nothing
    is kept of it.
    """
    _own(membership, entry)
    if not text.strip():
        raise InboxError("Write the reply first.")
    channel = channel or entry.channel
    choices = {c.pk: c for c in reply_channels(entry)}
    if channel is None or channel.pk not in choices:
        raise InboxError(
            "The team has no channel on this network to reply from: connect one on the "
            "Channels page."
            if not choices
            else "Choose one of the team's channels on this network to reply from."
        )
    post = publishing.create_post(
        membership=membership,
        text=text.strip(),
        channels=[choices[channel.pk]],
        campaign=entry.campaign,
        own_site=False,  # a reply belongs in the conversation, not on the campaign's page
    )
    options: dict[str, Any] = {"reply_to": reply_target(entry)}
    if entry.network == "mastodon" and entry.kind == EntryKind.DIRECT:
        options["visibility"] = "direct"  # answered as privately as it was asked
    Variant.objects.filter(post=post).update(options=options)
    if membership.can(Capability.PUBLISH):
        publishing.schedule(membership, post)
    else:
        publishing.submit(membership, post)
    entry.reply_post = post
    entry.save(update_fields=["reply_post"])
    audit(
        AuditAction.INBOX_REPLIED,
        actor=membership.user,
        team=membership.team,
        target=_label(entry),
        detail=f"post {post.pk} on {channel.name}"
        + ("" if membership.can(Capability.PUBLISH) else ", waiting for approval"),
    )
    return post

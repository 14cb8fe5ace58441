"""Reading Bluesky: searches, author feeds, mentions and metrics, mapped to houseboat's items."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from houseboat.connectors.base import (
    Metrics,
    PayloadRejected,
    Published,
    ReadPage,
    RemoteAuthor,
    RemoteItem,
    RemoteMedia,
    Source,
)
from houseboat.connectors.bluesky.common import (
    GET_POSTS_BATCH,
    INVALID_HANDLE,
    MAX_PAGES,
    MENTION_REASONS,
    PAGE_SIZE,
    POST,
    as_dict,
    iso_z,
    post_url,
    profile_url,
    unique,
)
from houseboat.connectors.bluesky.facets import facet_entities
from houseboat.connectors.bluesky.session import BlueskySession
from houseboat.core.text import parse_iso_time


@dataclasses.dataclass(frozen=True)
class ReadState:
    """Where a read stands: the watermark time, and mid-burst the network's page cursor.

    Stored as the plain watermark time when no burst is being read (as houseboat always
    did), else as a small JSON object, so a cursor stored before still reads.
    """

    since: datetime | None
    page: str | None = None
    newest: datetime | None = None
    oldest: datetime | None = None

    @classmethod
    def parse(cls, cursor: str | None) -> ReadState:
        if not cursor or not cursor.startswith("{"):
            return cls(since=parse_iso_time(cursor))
        try:
            data = json.loads(cursor)
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("page"), str):
            raise PayloadRejected(
                "The stored Bluesky reading position is damaged; remove the column's "
                "position so it starts again from now."
            )
        return cls(
            since=parse_iso_time(data.get("since")),
            page=data["page"],
            newest=parse_iso_time(data.get("newest")),
            oldest=parse_iso_time(data.get("oldest")),
        )

    def dump(self) -> str | None:
        if self.page is None:
            return iso_z(self.since) if self.since else None
        times = {"since": self.since, "newest": self.newest, "oldest": self.oldest}
        return json.dumps(
            {"page": self.page, **{k: iso_z(v) for k, v in times.items() if v is not None}},
            sort_keys=True,
        )


class BlueskyReading(BlueskySession):
    """Read what is new at a source, and the metrics and recent posts of the account."""

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Return what is new at a keyword, hashtag, account or the account's mentions."""
        state = ReadState.parse(cursor)
        value = source.value.strip()
        if source.kind in ("keyword", "hashtag"):
            query = value if source.kind == "keyword" else "#" + value.lstrip("#\uff03")
            if not query.strip("#"):
                raise PayloadRejected(f"Say which {source.kind} to search Bluesky for.")
            posts, state = self._read_since(lambda page: self._search(query, page), state)
            items = [self._item(post) for post in posts]
        elif source.kind == "account":
            actor = value.lstrip("@")
            if not actor:
                raise PayloadRejected("Say which Bluesky account to read (its handle).")
            entries, state = self._read_since(lambda page: self._author_feed(actor, page), state)
            items = [self._feed_item(entry) for entry in entries]
        elif source.kind == "mentions":
            notes, state = self._read_since(self._notifications, state)
            items = self._mentions([n for n in notes if n.get("reason") in MENTION_REASONS])
        else:
            raise self._unsupported(f"read {source.kind} sources")
        next_cursor = state.dump()
        return ReadPage(
            items=[item for item in items if item is not None],
            cursor=next_cursor if next_cursor != cursor else None,
            more=state.page is not None,
        )

    def _read_since(
        self,
        fetch: Callable[[str | None], tuple[list[dict[str, Any]], str | None]],
        state: ReadState,
    ) -> tuple[list[dict[str, Any]], ReadState]:
        """Page back from the newest entry towards the watermark, at most MAX_PAGES pages.

        Search, author feeds and notifications all start at the newest entry and page
        backwards in time; their own cursors only lead further into the past. So the
        cursor houseboat keeps is a time: the newest ``indexedAt`` seen. Each read pages
        back until a page holds an entry older than it, keeps what is at or after it
        (the ingest pipeline drops the one seen twice at the boundary), and returns the
        newest time as the next cursor. The first read takes only the newest page:
        listening starts now, not at the beginning of the network.

        A burst longer than MAX_PAGES pages is not skipped: the read stops there and
        returns a cursor that remembers the watermark, the network's page cursor and
        the newest time seen (``more`` is set). The next read goes on from that page,
        keeping only entries older than any it returned, until it reaches the
        watermark; only then does the watermark move up to the newest time seen, and
        the read after that picks up what arrived meanwhile.
        """
        kept: list[dict[str, Any]] = []
        since, page = state.since, state.page
        newest, oldest = state.newest, state.oldest
        for _ in range(MAX_PAGES if since else 1):
            entries, page = fetch(page)
            reached_older = False
            for entry in entries:
                moment = self._indexed_at(entry)
                if since is not None and moment is not None and moment < since:
                    reached_older = True
                    continue
                if state.page is not None and moment is not None and oldest and moment > oldest:
                    continue  # returned by an earlier read of this burst (new posts push pages)
                kept.append(entry)
                if moment is not None:
                    newest = moment if newest is None else max(newest, moment)
                    oldest = moment if oldest is None else min(oldest, moment)
            if reached_older or not page or since is None:
                return kept, ReadState(since=newest or since)
        return kept, ReadState(since=since, page=page, newest=newest, oldest=oldest)

    @staticmethod
    def _indexed_at(entry: dict[str, Any]) -> datetime | None:
        reason = as_dict(entry.get("reason"))  # a repost counts from when it was made
        post = as_dict(entry.get("post"))
        return parse_iso_time(
            reason.get("indexedAt") or post.get("indexedAt") or entry.get("indexedAt")
        )

    def _search(self, query: str, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        # Post search needs a signed-in call since Bluesky closed it to anonymous
        # clients (atproto#3423), so it always goes through the PDS.
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._call("GET", "app.bsky.feed.searchPosts", params=params), "search posts"
        )
        return self._list(answer, "posts"), self._cursor(answer)

    def _author_feed(self, actor: str, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"actor": actor, "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._public_read("app.bsky.feed.getAuthorFeed", params), "read the account's posts"
        )
        return self._list(answer, "feed"), self._cursor(answer)

    def _notifications(self, page: str | None) -> tuple[list[dict[str, Any]], str | None]:
        params: dict[str, Any] = {"reasons": list(MENTION_REASONS), "limit": PAGE_SIZE}
        if page:
            params["cursor"] = page
        answer = self._answer(
            self._call("GET", "app.bsky.notification.listNotifications", params=params),
            "read its mentions",
        )
        return self._list(answer, "notifications"), self._cursor(answer)

    @staticmethod
    def _cursor(answer: dict[str, Any]) -> str | None:
        cursor = answer.get("cursor")
        return cursor if isinstance(cursor, str) and cursor else None

    def _mentions(self, notes: list[dict[str, Any]]) -> list[RemoteItem | None]:
        """Map mention, reply and quote notifications to items, with full post views."""
        views = self._posts([n["uri"] for n in notes if isinstance(n.get("uri"), str)])
        items: list[RemoteItem | None] = []
        for note in notes:
            view = views.get(note.get("uri", ""))
            if view is None:  # deleted since, or hidden: the notification still says enough
                view = {
                    key: note.get(key) for key in ("uri", "cid", "author", "record", "indexedAt")
                }
            items.append(self._item(view, raw=note))
        return items

    def _posts(self, uris: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Post views by URI, 25 per call; missing posts are left out."""
        views: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(uris))
        for start in range(0, len(wanted), GET_POSTS_BATCH):
            batch = wanted[start : start + GET_POSTS_BATCH]
            answer = self._answer(
                self._public_read("app.bsky.feed.getPosts", {"uris": batch}), "read posts"
            )
            for view in self._list(answer, "posts"):
                if isinstance(view.get("uri"), str):
                    views[view["uri"]] = view
        return views

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        """Say which of these posts (at:// URIs) Bluesky no longer shows, and why.

        ``app.bsky.feed.getPosts`` leaves out a post that is gone. Its author's profile
        then tells why: ``AccountTakedown`` means the account was taken down by its host
        (suspended); a profile still there, or none at all, means the post (or the
        whole account) was deleted. A deactivated account may come back, so its posts
        are left out of the answer: houseboat cannot tell yet.
        """
        uris = [uri for uri in dict.fromkeys(remote_ids) if uri.startswith("at://")]
        views = self._posts(uris)
        missing = [uri for uri in uris if uri not in views]
        reasons: dict[str, str | None] = {}
        for uri in missing:
            did = uri.removeprefix("at://").split("/", 1)[0]
            if did not in reasons:
                reasons[did] = self._author_state(did)
        found: dict[str, str] = {}
        for uri in missing:
            reason = reasons[uri.removeprefix("at://").split("/", 1)[0]]
            if reason:
                found[uri] = reason
        return found

    def _author_state(self, actor: str) -> str | None:
        """ "suspended", "deleted" or None (cannot tell) for the author of a missing post."""
        response = self._public_read("app.bsky.actor.getProfile", {"actor": actor})
        if response.status_code == 200:
            return "deleted"  # the account is there: the post was deleted
        error, message = self._error_of(response)
        if error == "AccountTakedown":
            return "suspended"
        if error == "AccountDeactivated":
            return None
        if response.status_code == 400 and (error == "InvalidRequest" or "not found" in message):
            return "deleted"  # "Profile not found": the whole account was deleted
        raise self._fail(response, "look up the author of a missing post")

    # -- map Bluesky's views to houseboat's items

    def _item(self, view: dict[str, Any], raw: dict[str, Any] | None = None) -> RemoteItem | None:
        """Map an app.bsky.feed.defs#postView to a RemoteItem (None if it has no URI)."""
        uri = view.get("uri")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            return None
        record = as_dict(view.get("record"))
        text = record.get("text") if isinstance(record.get("text"), str) else ""
        author = self._author(as_dict(view.get("author")))
        hashtags, mentions, links = facet_entities(text, record.get("facets"))
        tags = record.get("tags") if isinstance(record.get("tags"), list) else []
        langs = record.get("langs") if isinstance(record.get("langs"), list) else []
        embed = as_dict(view.get("embed"))
        return RemoteItem(
            network="bluesky",
            remote_id=uri,
            text=text,
            created_at=parse_iso_time(record.get("createdAt"))
            or parse_iso_time(view.get("indexedAt")),
            author=author,
            url=post_url(author.handle or uri.split("/")[2], uri.rsplit("/", 1)[-1]),
            language=langs[0] if langs and isinstance(langs[0], str) else "",
            reply_to_id=as_dict(as_dict(record.get("reply")).get("parent")).get("uri") or "",
            quote_of_id=quote_of(embed, as_dict(record.get("embed"))),
            hashtags=unique([*hashtags, *(tag for tag in tags if isinstance(tag, str))]),
            mentions=unique(mentions),
            links=unique([*links, *external_links(embed)]),
            media=tuple(media_of(embed)),
            metrics=metrics_of(view),
            raw=raw if raw is not None else view,
        )

    def _feed_item(self, entry: dict[str, Any]) -> RemoteItem | None:
        """Map an author-feed entry; a repost becomes the reposter's item pointing at the post."""
        item = self._item(as_dict(entry.get("post")), raw=entry)
        reason = as_dict(entry.get("reason"))
        if item is None or not str(reason.get("$type", "")).endswith("#reasonRepost"):
            return item
        by = self._author(as_dict(reason.get("by")))
        return dataclasses.replace(
            item,
            remote_id=reason.get("uri") or f"{item.remote_id}#repost-by-{by.remote_id}",
            author=by,
            repost_of_id=item.remote_id,
            created_at=parse_iso_time(reason.get("indexedAt")) or item.created_at,
        )

    @staticmethod
    def _author(profile: dict[str, Any]) -> RemoteAuthor:
        did = profile.get("did") if isinstance(profile.get("did"), str) else ""
        handle = profile.get("handle") if isinstance(profile.get("handle"), str) else ""
        if handle == INVALID_HANDLE:
            handle = ""
        return RemoteAuthor(
            remote_id=did,
            handle=handle,
            display_name=profile.get("displayName") or "",
            url=profile_url(handle or did) if handle or did else "",
        )

    # -- metrics, own posts, check

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        """Current reply, repost, like and quote counts; deleted posts are left out."""
        uris = [post.extra.get("uri") or post.remote_id for post in posts]
        views = self._posts(uris)
        return {
            post.remote_id: metrics_of(views[uri])
            for post, uri in zip(posts, uris, strict=True)
            if uri in views
        }

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The account's latest posts, thread parts included (they are houseboat's too)."""
        did = self._ensure_session()
        params = {
            "actor": did,
            "filter": "posts_and_author_threads",
            "limit": max(1, min(limit, PAGE_SIZE)),
        }
        answer = self._answer(
            self._public_read("app.bsky.feed.getAuthorFeed", params), "list the account's own posts"
        )
        items = [
            self._item(as_dict(entry.get("post")), raw=entry)
            for entry in self._list(answer, "feed")
            if not entry.get("reason")  # a repost is someone else's post
        ]
        return [item for item in items if item is not None][:limit]


def quote_of(view: dict[str, Any], embed: dict[str, Any]) -> str:
    """The URI of the post quoted, from the embed view or else the record's own embed."""
    for candidate in (view, embed):
        kind = str(candidate.get("$type", ""))
        target = as_dict(candidate.get("record"))
        if kind.startswith("app.bsky.embed.recordWithMedia"):
            target = as_dict(target.get("record"))
        elif not kind.startswith("app.bsky.embed.record"):
            continue
        uri = target.get("uri")
        if isinstance(uri, str) and f"/{POST}/" in uri:
            return uri
    return ""


def _media_view(view: dict[str, Any]) -> dict[str, Any]:
    if str(view.get("$type", "")).startswith("app.bsky.embed.recordWithMedia"):
        return as_dict(view.get("media"))
    return view


def media_of(view: dict[str, Any]) -> list[RemoteMedia]:
    """Pictures (full size, with descriptions) and video from an embed view."""
    view = _media_view(view)
    kind = str(view.get("$type", ""))
    if kind == "app.bsky.embed.images#view":
        return [
            RemoteMedia(url=image["fullsize"], kind="image", alt=str(image.get("alt") or ""))
            for image in map(as_dict, view.get("images") or [])
            if isinstance(image.get("fullsize"), str)
        ]
    if kind == "app.bsky.embed.video#view" and isinstance(view.get("playlist"), str):
        return [RemoteMedia(url=view["playlist"], kind="video", alt=str(view.get("alt") or ""))]
    return []


def external_links(view: dict[str, Any]) -> list[str]:
    view = _media_view(view)
    if view.get("$type") == "app.bsky.embed.external#view":
        uri = as_dict(view.get("external")).get("uri")
        return [uri] if isinstance(uri, str) else []
    return []


def metrics_of(view: dict[str, Any]) -> Metrics:
    def count(key: str) -> int | None:
        value = view.get(key)
        return value if isinstance(value, int) else None

    return Metrics(
        replies=count("replyCount"),
        reposts=count("repostCount"),
        likes=count("likeCount"),
        quotes=count("quoteCount"),
    )

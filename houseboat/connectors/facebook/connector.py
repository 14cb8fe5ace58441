"""Facebook Pages through the Graph API: publish, delete, read the feed and comments.

A channel is one Page, reached with a Page access token. Facebook has no idempotency
key, so a post whose outcome is unknown must be looked for with ``recent_posts``
before it is sent again. Groups cannot be reached at all: Facebook removed the
Groups API in April 2024.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import regex
from django.utils.translation import gettext_noop

from houseboat.connectors import text
from houseboat.connectors.base import (
    Account,
    AuthRevoked,
    ConnectorError,
    Manifest,
    MediaFile,
    Metrics,
    NotSupported,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    PermissionMissing,
    Published,
    RateLimited,
    ReadPage,
    RemoteAuthor,
    RemoteItem,
    RemoteMedia,
    Source,
    UnexpectedResponse,
)
from houseboat.connectors.facebook.graph import (
    MAX_PAGES,
    GraphConnector,
    GraphError,
    graph_settings,
    items_of,
    regain_access_after,
    split_link,
)
from houseboat.core.text import parse_iso_time

logger = logging.getLogger(__name__)

GROUPS_NOTICE = gettext_noop(
    "Facebook removed the Groups API in April 2024: houseboat cannot post to or read "
    "groups. To keep a group's history, download it with 'Download your information' "
    "and import it in the Archive."
)
PERMISSIONS = (
    "pages_manage_posts",
    "pages_read_engagement",
    "pages_read_user_content",
    "pages_manage_engagement",
    "pages_manage_metadata",
    "pages_show_list",
)
COUNTS = "shares,comments.summary(true).limit(0),reactions.summary(true).limit(0)"
POST_FIELDS = f"id,message,created_time,permalink_url,from,attachments,{COUNTS}"
COMMENT_FIELDS = "id,message,created_time,from,permalink_url"
AUTH_CODES = frozenset({102, 190})
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
TEMPORARY_CODES = frozenset({1, 2})
# Without a usage header, a throttled page is left alone this long: Facebook counts
# calls over hours (apps) or a day (pages), so a quick retry would only add to them.
DEFAULT_THROTTLE = timedelta(minutes=5)
RECENT_POSTS = 10  # whose comments one read looks at
HASHTAG_RE = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&/#])#([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)"
)
TRAILING_PUNCTUATION = ".,;:!?)]}'\"»\u201d\u2019"


class FacebookConnector(GraphConnector):
    manifest: Manifest = {
        "network": "facebook",
        "label": "Facebook Page",
        "can": ["publish", "delete", "read", "media", "metrics", "check"],
        "sources": ["page", "comments"],
        "limits": {
            "text": {"max": 63206, "counted": "characters"},
            "media": {
                "max_count": 10,
                "max_bytes": 4_000_000,
                "types": ["image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"],
            },
        },
        "rate_limits": (
            "About 4,800 calls a day for each person who engaged with the Page that day. "
            "Facebook says it is throttling with error codes 4, 17, 32, 613 or 80001 in an "
            "ordinary error answer, and how many minutes to wait in a usage header."
        ),
        "credentials": [
            {
                "name": "page_access_token",
                "label": gettext_noop("Page access token"),
                "secret": True,
                "required": True,
                "help": gettext_noop(
                    "A Page access token made from a long-lived user token (it does not "
                    "expire), or a system user's token. See the help for the steps."
                ),
            },
            {
                "name": "app_secret",
                "label": gettext_noop("App secret (optional)"),
                "secret": True,
                "required": False,
                "help": gettext_noop(
                    "Only if your Meta app has “Require app secret” on: houseboat then "
                    "signs every call with it (appsecret_proof)."
                ),
            },
        ],
        "settings": graph_settings(
            required=[
                {
                    "name": "page_id",
                    "label": gettext_noop("Page ID"),
                    "secret": False,
                    "required": True,
                    "help": gettext_noop(
                        "The Page's number: on the Page, About → Page transparency, or "
                        "in the answer of /me/accounts."
                    ),
                }
            ]
        ),
        "notes": gettext_noop(
            "Facebook removed the Groups API in April 2024: houseboat cannot post to or read "
            "groups. To keep a group's history, download it with 'Download your information' "
            "and import it in the Archive. Posts cannot be threaded; replies as comments "
            "could serve for that later."
        ),
    }
    token_name = "page_access_token"  # noqa: S105 - the name of the secret, not a secret

    # -- the account

    def page_id(self) -> str:
        page_id = str(self.config.get("page_id") or "").strip()
        if not page_id:
            raise PayloadRejected(
                "This Facebook channel has no Page ID. Add it in the channel settings."
            )
        return page_id

    def check(self) -> Account:
        """Confirm the token is the Page's own token, then describe the Page."""
        page_id = self.page_id()
        me = self.call("GET", self.graph_url("me"), params={"fields": "id,name"})
        if str(me.get("id")) != page_id:
            raise PermissionMissing(
                f"This token belongs to “{me.get('name', 'someone else')}”, not to the Page "
                f"{page_id}. Paste that Page's own access token (from /me/accounts, see the "
                "channel's help), not a personal token or another Page's."
            )
        page = self.call(
            "GET", self.graph_url(page_id), params={"fields": "id,name,link,fan_count"}
        )
        notes = [
            "Facebook does not let a Page token list its permissions. Publishing needs "
            "pages_manage_posts; metrics need pages_read_engagement; comments need "
            "pages_read_user_content.",
            GROUPS_NOTICE,
        ]
        if page.get("fan_count") is not None:
            notes.insert(0, f"{page['fan_count']} people follow the Page.")
        return Account(
            remote_id=page_id,
            handle=str(page.get("name") or page_id),
            display_name=str(page.get("name") or ""),
            url=str(page.get("link") or f"https://www.facebook.com/{page_id}"),
            notes=notes,
        )

    # -- publishing

    def publish(self, post: OutgoingPost) -> Published:
        """Post text, a link, one photo or an album of up to ten to the Page's feed.

        A reply (from the team inbox) is a comment under the post or comment it answers.
        """
        if post.reply_to and not post.thread_root and not post.media:
            return self._comment(post)
        if post.reply_to or post.thread_root:
            raise NotSupported(
                "Facebook Page posts cannot be threaded in houseboat; publish this part as "
                "a post of its own."
            )
        problems = text.check(self.limits(), post.text, post.media, label=self.label)
        if problems:
            raise PayloadRejected(" ".join(problem.message for problem in problems))
        if len(post.media) == 1:
            return self._publish_photo(post)
        form = self._post_form(post)
        if post.media:
            form.pop("link", None)  # Facebook takes a link or photos, not both
            for index, media in enumerate(post.media):
                form[f"attached_media[{index}]"] = json.dumps({"media_fbid": self._upload(media)})
        answer = self.call(
            "POST", self.graph_url(self.page_id(), "feed"), data=form, after_publish=True
        )
        return self._published(answer.get("id"))

    def _comment(self, post: OutgoingPost) -> Published:
        """Comment as the Page under a post or a comment (Graph API: POST /{object-id}/comments)."""
        assert post.reply_to is not None
        answer = self.call(
            "POST",
            self.graph_url(post.reply_to.remote_id, "comments"),
            data={"message": post.text},
            after_publish=True,
        )
        return self._published(answer.get("id") if isinstance(answer, dict) else None)

    def _post_form(self, post: OutgoingPost) -> dict[str, str]:
        form = {"message": post.text}
        if post.options.get("link"):
            form["link"] = str(post.options["link"])
        scheduled_at = post.options.get("scheduled_at")
        if isinstance(scheduled_at, datetime):
            form["published"] = "false"
            form["scheduled_publish_time"] = str(int(scheduled_at.timestamp()))
        return form

    def _publish_photo(self, post: OutgoingPost) -> Published:
        form = self._post_form(post)
        form.pop("link", None)
        form["caption"] = form.pop("message")
        answer = self.call(
            "POST",
            self.graph_url(self.page_id(), "photos"),
            data={**form, **self._alt(post.media[0])},
            files=self._file(post.media[0]),
            after_publish=True,
        )
        # A published photo answers with its own id and the id of the post that shows it.
        return self._published(answer.get("post_id") or answer.get("id"))

    def _upload(self, media: MediaFile) -> str:
        """Upload one photo unpublished, for an album post, and return its id."""
        answer = self.call(
            "POST",
            self.graph_url(self.page_id(), "photos"),
            data={"published": "false", **self._alt(media)},
            files=self._file(media),
            # An unpublished photo is seen by nobody, so sending it twice is harmless.
            idempotent=True,
        )
        photo_id = answer.get("id") if isinstance(answer, dict) else None
        if not photo_id:
            raise UnexpectedResponse("Facebook took a photo but gave no id for it.")
        return str(photo_id)

    @staticmethod
    def _file(media: MediaFile) -> dict[str, tuple[str, bytes, str]]:
        # Bytes, not an open file, so a retried upload sends the whole photo again.
        return {"source": (media.path.name, media.path.read_bytes(), media.mime_type)}

    @staticmethod
    def _alt(media: MediaFile) -> dict[str, str]:
        return {"alt_text_custom": media.alt} if media.alt else {}

    def _published(self, post_id: Any) -> Published:
        if not post_id:
            raise OutcomeUnknown(
                "Facebook answered without the id of the post, so houseboat cannot tell "
                "whether it went out. Look at the Page before posting it again."
            )
        return Published(remote_id=str(post_id), url=f"https://www.facebook.com/{post_id}")

    def delete(self, published: Published) -> None:
        """Delete a post of the Page; one Facebook says does not exist counts as done."""
        try:
            answer = self.call("DELETE", self.graph_url(published.remote_id))
        except PayloadRejected as error:
            if gone_from_graph(error):
                return
            raise
        if not (isinstance(answer, dict) and answer.get("success")):
            raise UnexpectedResponse("Facebook did not confirm that the post was deleted.")

    def exists(self, published: Published) -> bool:
        """Tell whether the Page's post is still there (GET /{post-id}?fields=id)."""
        try:
            self.call("GET", self.graph_url(published.remote_id), params={"fields": "id"})
        except PayloadRejected as error:
            if gone_from_graph(error):
                return False
            raise
        return True

    # -- reading

    def read(self, source: Source, cursor: str | None) -> ReadPage:
        """Read the Page's feed and the comments on its recent posts since ``cursor``.

        The cursor is the newest ``created_time`` seen, in Unix seconds. Items from
        that very second are read again, so that two in the same second are never
        lost; the archive drops the one it already has. The feed comes newest first;
        a burst longer than MAX_PAGES pages stops there and the cursor keeps the old
        time, the next page's link and the newest time seen (``more`` is set), so the
        next read goes on from that page. Until the burst is read, the comments are
        read from the old time each time (repeated, never skipped). ``comments`` reads
        the comments alone.
        """
        since, next_url, newest = self._read_state(cursor)
        if source.kind == "page" and source.value in ("", self.page_id()):
            items, next_url = self._feed(since, next_url)
            items += list(self._comments(since))
        elif source.kind == "comments":
            items, next_url = list(self._comments(since)), ""
        else:
            raise NotSupported(
                "A Facebook Page channel reads its own Page's feed and the comments on its "
                "posts; other pages and groups cannot be read through the API."
            )
        times = [int(item.created_at.timestamp()) for item in items if item.created_at]
        newest = max([*times, *([newest] if newest else [])], default=None)
        if next_url:
            state = {"since": since, "next": next_url, "newest": newest}
            return ReadPage(items=items, cursor=json.dumps(state, sort_keys=True), more=True)
        return ReadPage(items=items, cursor=str(newest) if newest is not None else None)

    def _read_state(self, cursor: str | None) -> tuple[int | None, str, int | None]:
        """Split a cursor into the time read from, the next page mid-burst, the newest time."""
        if not cursor or not cursor.startswith("{"):
            return (int(cursor) if cursor and cursor.isdigit() else None), "", None
        try:
            state = json.loads(cursor)
        except json.JSONDecodeError:
            state = None
        if (
            not isinstance(state, dict)
            or not isinstance(state.get("since"), int)
            or not self.on_graph_host(str(state.get("next") or ""))
        ):
            raise PayloadRejected(
                "The stored Facebook reading position is damaged; remove the column's "
                "position so it starts again from now."
            )
        newest = state.get("newest")
        return state["since"], str(state["next"]), newest if isinstance(newest, int) else None

    def _feed(self, since: int | None, next_url: str = "") -> tuple[list[RemoteItem], str]:
        params: dict[str, Any] = {"fields": POST_FIELDS}
        if since is not None:
            params["since"] = since
        url = self.graph_url(self.page_id(), "feed")
        if next_url:  # a burst read on from where the last read stopped
            url, params = split_link(next_url)
        # A first read takes only the latest page, not the Page's whole history.
        pages = 1 if since is None else MAX_PAGES
        posts, next_url = self.page_run(url, params, max_pages=pages)
        return [self._item(post) for post in posts], next_url if since is not None else ""

    def _comments(self, since: int | None) -> Iterator[RemoteItem]:
        posts = self.call(
            "GET",
            self.graph_url(self.page_id(), "posts"),
            params={"fields": "id,updated_time", "limit": RECENT_POSTS},
        )
        for post in items_of(posts, self.label):
            updated = parse_iso_time(post.get("updated_time"))
            # A post's updated_time moves when someone comments, so quiet posts cost no call.
            if since is not None and updated is not None and updated.timestamp() < since:
                continue
            yield from self._comments_on(str(post.get("id")), since)

    def _comments_on(self, post_id: str, since: int | None) -> Iterator[RemoteItem]:
        params = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",
            "order": "reverse_chronological",
        }
        pages = 1 if since is None else MAX_PAGES
        for comment in self.pages(self.graph_url(post_id, "comments"), params, max_pages=pages):
            item = self._item(comment, reply_to_id=post_id)
            if since is not None and item.created_at and item.created_at.timestamp() < since:
                return  # newest first: everything after this was read before
            yield item

    def _item(self, raw: Mapping[str, Any], reply_to_id: str = "") -> RemoteItem:
        message = str(raw.get("message") or "")
        attachments = (raw.get("attachments") or {}).get("data") or []
        return RemoteItem(
            network="facebook",
            remote_id=str(raw.get("id") or ""),
            text=message,
            created_at=parse_iso_time(raw.get("created_time")),
            author=_author(raw.get("from")),
            url=str(raw.get("permalink_url") or ""),
            reply_to_id=reply_to_id,
            hashtags=hashtags(message),
            links=_links(message, attachments),
            media=[media for item in attachments for media in _media(item)],
            metrics=Metrics() if reply_to_id else _metrics(raw),
            raw=dict(raw),
        )

    def gone(self, remote_ids: Sequence[str]) -> dict[str, str]:
        raise NotSupported(
            "houseboat does not yet watch Facebook posts for deletion: a Page token cannot "
            "tell a post deleted by its author from one hidden from the Page."
        )

    def recent_posts(self, limit: int = 20) -> list[RemoteItem]:
        """The Page's own latest posts, newest first."""
        answer = self.call(
            "GET",
            self.graph_url(self.page_id(), "posts"),
            params={"fields": POST_FIELDS, "limit": min(max(limit, 1), 100)},
        )
        return [self._item(post) for post in items_of(answer, self.label)][:limit]

    def metrics(self, posts: Sequence[Published]) -> dict[str, Metrics]:
        """Shares, comments and reactions of each post; a deleted post is left out."""
        found = {}
        for post in posts:
            try:
                answer = self.call("GET", self.graph_url(post.remote_id), params={"fields": COUNTS})
            except PayloadRejected as error:
                logger.info("No metrics for Facebook post %s: %s", post.remote_id, error)
                continue
            found[post.remote_id] = _metrics(answer)
        return found

    # -- errors

    def throttled(self, error: GraphError, response: httpx.Response) -> RateLimited | None:
        if error.code not in THROTTLE_CODES:
            return None
        wait = regain_access_after(response) or DEFAULT_THROTTLE
        whom = "this app" if error.code == 4 else "this Page"
        return self.rate_limited(
            wait, f"Facebook is limiting how often {whom} may call it.", error.reason
        )

    def error_for(self, error: GraphError, *, after_publish: bool) -> ConnectorError:
        code = error.code or 0
        if code in AUTH_CODES:
            return AuthRevoked(
                "The Facebook Page token expired or was revoked (for example after a "
                "password change): create a new Page access token and reconnect.",
                reason=error.reason,
            )
        if code == 10 or 200 <= code <= 299:
            return self._permission_missing(error)
        if code == 368:
            return PermissionMissing(
                "Facebook has temporarily blocked this page from posting, usually after "
                "posts were reported. Check the Page's notifications in Meta Business "
                "Suite and try again later.",
                reason=error.reason,
            )
        if code == 506:
            return PayloadRejected(
                "Facebook refused this as a duplicate: the same text was already posted on "
                "the Page, so it is there already. Change the text to post it again.",
                reason=error.reason,
            )
        if code == 1609005:
            return PayloadRejected(
                "Facebook could not read the link in this post. Check that the address "
                "opens in a browser, then try again.",
                reason=error.reason,
            )
        if code in TEMPORARY_CODES:
            return self.unknown_error(error, after_publish=after_publish)
        return PayloadRejected(
            f"Facebook refused the request: {error.reason or 'no reason given'}",
            reason=error.reason,
        )

    def _permission_missing(self, error: GraphError) -> PermissionMissing:
        permissions = error.mentions(*PERMISSIONS)
        if permissions:
            names = " and ".join(permissions)
            message = (
                f"The Facebook Page token lacks the {names} permission. Create a new Page "
                "access token that includes it (see the channel's help) and reconnect."
            )
        else:
            message = (
                "The Facebook Page token may not do this. Check that the person who made "
                "it can create content on the Page and that the token has the permissions "
                "the channel's help lists, then reconnect."
            )
        return PermissionMissing(message, reason=error.reason)


def hashtags(message: str) -> list[str]:
    """The hashtags in a post's text, in any script, without the # and once each."""
    return list(dict.fromkeys(HASHTAG_RE.findall(message)))


def _author(raw: Any) -> RemoteAuthor | None:
    # Facebook leaves "from" out when the reader may not see who wrote something.
    if not isinstance(raw, dict) or not raw.get("id"):
        return None
    name = str(raw.get("name") or "")
    return RemoteAuthor(
        remote_id=str(raw["id"]),
        handle=name or str(raw["id"]),
        display_name=name,
        url=f"https://www.facebook.com/{raw['id']}",
    )


def _links(message: str, attachments: Sequence[Mapping[str, Any]]) -> list[str]:
    found = [url.rstrip(TRAILING_PUNCTUATION) for url in text.SCHEME_URL_RE.findall(message)]
    for attachment in attachments:
        if attachment.get("type") in ("share", "link") and attachment.get("url"):
            found.append(_unshim(str(attachment["url"])))
    return list(dict.fromkeys(found))


def _unshim(url: str) -> str:
    """The real address behind Facebook's l.facebook.com/l.php?u=… redirect."""
    parsed = httpx.URL(url)
    if parsed.host in ("l.facebook.com", "lm.facebook.com") and parsed.path == "/l.php":
        target = parse_qs(parsed.query.decode()).get("u")
        if target:
            return target[0]
    return url


def _media(attachment: Mapping[str, Any]) -> Iterator[RemoteMedia]:
    kind = str(attachment.get("type") or "")
    media = attachment.get("media") or {}
    image = (media.get("image") or {}).get("src")
    if kind.startswith("video"):
        source = media.get("source") or image
        if source:
            yield RemoteMedia(
                url=str(source), kind="video", alt=str(attachment.get("description") or "")
            )
    elif kind == "photo" and image:
        yield RemoteMedia(
            url=str(image), kind="image", alt=str(attachment.get("description") or "")
        )
    for sub in (attachment.get("subattachments") or {}).get("data") or []:
        yield from _media(sub)


def _metrics(raw: Mapping[str, Any]) -> Metrics:
    def total(name: str) -> int | None:
        value = ((raw.get(name) or {}).get("summary") or {}).get("total_count")
        return int(value) if isinstance(value, int) else None

    shares = (raw.get("shares") or {}).get("count")
    # A post nobody shared has no "shares" field at all: that is zero, not unknown.
    return Metrics(
        replies=total("comments"),
        reposts=int(shares) if isinstance(shares, int) else 0,
        likes=total("reactions"),
    )


def gone_from_graph(error: PayloadRejected) -> bool:
    """Whether Meta's refusal says the object is gone: HTTP 404, or code 100 "does not exist".

    Meta answers a deleted post's id with error 100 (subcode 33, "Object with ID … does not
    exist, cannot be loaded due to missing permissions, or does not support this
    operation"). A Page token reading or deleting the Page's own post has the permission,
    so here it means the post is gone.
    """
    return "does not exist" in f"{error.message} {error.reason}".lower()

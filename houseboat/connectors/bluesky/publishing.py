"""Publishing to Bluesky: records under fixed keys, facets, replies, pictures, delete."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from houseboat.connectors import text as text_rules
from houseboat.connectors.base import (
    ConnectorError,
    MediaFile,
    NetworkUnreachable,
    OutcomeUnknown,
    OutgoingPost,
    PayloadRejected,
    Published,
    UnexpectedResponse,
)
from houseboat.connectors.bluesky.common import (
    MAX_LANGS,
    MAX_TEXT_BYTES,
    POST,
    as_dict,
    at_uri_parts,
    iso_z,
    post_url,
)
from houseboat.connectors.bluesky.facets import build_facets, detect_spans
from houseboat.connectors.bluesky.session import BlueskySession

# --- record keys -------------------------------------------------------------------------

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z, in microseconds
TID_SPAN_US = 2**44  # about 203 days


def record_key(idempotency_key: str) -> str:
    """A TID derived from the post's idempotency key, so every retry names the same record.

    A TID is 64 bits written as 13 base32-sortable characters: a zero top bit, 53 bits of
    microseconds since 1970 and a 10-bit clock id (atproto.com/specs/tid). The hash picks
    the clock id and a moment within some 200 days from 2023-01-01: always in the past,
    so no service that distrusts future timestamps trips on it, and 54 bits of hash keep
    two posts of one account from sharing a key.
    """
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode("utf-8")).digest()[:8], "big")
    timestamp = TID_EPOCH_US + (digest >> 10) % TID_SPAN_US
    value = (timestamp << 10) | (digest & 0x3FF)
    return "".join(TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def aspect_ratio(path: Path) -> tuple[int, int] | None:
    """The picture's width and height if Pillow is installed and can read it; else None.

    The posts guide says to leave aspectRatio out rather than guess, and houseboat does
    not add Pillow for this alone.
    """
    try:
        from PIL import Image  # optional: used only where it is installed
    except ImportError:
        return None
    try:
        with Image.open(path) as image:
            width, height = image.size
    except Exception:  # any picture Pillow cannot read just goes without a ratio
        return None
    return (width, height) if width > 0 and height > 0 else None


class BlueskyPublishing(BlueskySession):
    """Publish and delete the account's own posts."""

    def publish(self, post: OutgoingPost) -> Published:
        """Publish one post under a record key fixed by its idempotency key.

        Because the key is fixed, sending the create again cannot make a second post;
        when the answer is lost or the record already exists, houseboat reads the record
        back and counts it as published if its text is this post's.
        """
        self._refuse_what_bluesky_refuses(post)
        self._follow_stored_session()
        try:
            record = self._record(post)
        except OutcomeUnknown as error:
            # Uploads and look-ups post nothing: a failure here is a plain "try again".
            raise NetworkUnreachable(
                "Bluesky had trouble while houseboat prepared the post; nothing was posted yet. "
                "houseboat will try again.",
                reason=error.reason or error.message,
            ) from None
        rkey = record_key(post.idempotency_key)
        try:
            return self._create(record, rkey)
        except OutcomeUnknown as unknown:
            return self._find_published(rkey, post.text, unknown)

    def _refuse_what_bluesky_refuses(self, post: OutgoingPost) -> None:
        for media in post.media:
            if not media.path.is_file():
                raise PayloadRejected(f"The picture {media.path.name} is missing; add it again.")
        problems = [
            p.message
            for p in text_rules.check(self.limits(), post.text, post.media, label=self.label)
        ]
        size = len(post.text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(
                f"Too long for Bluesky: {size} bytes of text (emoji and some scripts take "
                f"several each), the limit is {MAX_TEXT_BYTES}. Shorten it or split it into a thread."
            )
        if problems:
            raise PayloadRejected(" ".join(problems))

    def _record(self, post: OutgoingPost) -> dict[str, Any]:
        """Build the app.bsky.feed.post record: text, time, languages, facets, reply, embed."""
        record: dict[str, Any] = {
            "$type": POST,
            "text": post.text,
            "createdAt": iso_z(datetime.now(UTC)),
        }
        langs = self._langs(post.options.get("language"))
        if langs:
            record["langs"] = langs
        facets = self._facets(post.text)
        if facets:
            record["facets"] = facets
        reply = self._reply(post)
        if reply:
            record["reply"] = reply
        embed = self._embed(post)
        if embed:
            record["embed"] = embed
        return record

    @staticmethod
    def _langs(language: Any) -> list[str]:
        if isinstance(language, str):
            language = [language]
        if not isinstance(language, list | tuple):
            return []
        return [code.strip() for code in language if isinstance(code, str) and code.strip()][
            :MAX_LANGS
        ]

    def _facets(self, text: str) -> list[dict[str, Any]]:
        spans = detect_spans(text)
        handles = {span.value for span in spans if span.kind == "mention"}
        dids = {handle: did for handle in sorted(handles) if (did := self._resolve_handle(handle))}
        return build_facets(text, spans, dids)

    def _resolve_handle(self, handle: str) -> str | None:
        """The DID behind a mentioned handle, or None: the mention then stays plain text."""
        response = self._call(
            "GET", "com.atproto.identity.resolveHandle", params={"handle": handle}
        )
        if response.status_code == 400:
            return None  # no such handle (the posts guide skips it the same way)
        did = self._answer(response, "look up a mentioned account").get("did")
        return did if isinstance(did, str) and did.startswith("did:") else None

    def _reply(self, post: OutgoingPost) -> dict[str, Any] | None:
        if post.reply_to is None:
            return None
        parent, parent_record = self._strong_ref(
            post.reply_to, need_record=post.thread_root is None
        )
        if post.thread_root is not None:
            root, _ = self._strong_ref(post.thread_root)
        else:
            # As the posts guide does: the parent's own root, or the parent if it is none.
            root_ref = as_dict(as_dict(parent_record.get("reply")).get("root"))
            root = (
                {"uri": root_ref["uri"], "cid": root_ref["cid"]}
                if isinstance(root_ref.get("uri"), str) and isinstance(root_ref.get("cid"), str)
                else parent
            )
        return {"root": root, "parent": parent}

    def _strong_ref(
        self, published: Published, *, need_record: bool = False
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """The {uri, cid} of a post to reply to, and its record when it had to be read."""
        uri = published.extra.get("uri") or published.remote_id
        cid = published.extra.get("cid")
        if isinstance(cid, str) and cid and not need_record:
            return {"uri": uri, "cid": cid}, {}
        repo, collection, rkey = at_uri_parts(uri)
        response = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )
        answer = self._answer(response, "find the post to reply to")
        found_cid = answer.get("cid")
        if not isinstance(found_cid, str):
            raise UnexpectedResponse(
                "Bluesky described the post to reply to without its version (cid)."
            )
        return {"uri": uri, "cid": found_cid}, as_dict(answer.get("value"))

    def _embed(self, post: OutgoingPost) -> dict[str, Any] | None:
        if post.media:
            return {
                "$type": "app.bsky.embed.images",
                "images": [self._image(m) for m in post.media],
            }
        card = post.options.get("link_card")
        if not card:
            return None
        card = as_dict(card)
        uri = card.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
            raise PayloadRejected("The link card needs the full address of the page (https://…).")
        # No thumbnail: fetching the page's picture would make houseboat call a third
        # party's site from the server, which the threat model avoids.
        return {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": uri,
                "title": str(card.get("title") or ""),
                "description": str(card.get("description") or ""),
            },
        }

    def _image(self, media: MediaFile) -> dict[str, Any]:
        try:
            data = media.path.read_bytes()
        except OSError:
            raise PayloadRejected(f"houseboat cannot read the picture {media.path.name}.") from None
        response = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            idempotent=True,  # the same bytes make the same blob
            content=data,
            content_type=media.mime_type,
        )
        blob = self._answer(response, f"take the picture {media.path.name}").get("blob")
        if not isinstance(blob, dict):
            raise UnexpectedResponse("Bluesky took the picture but did not say how to refer to it.")
        image: dict[str, Any] = {"alt": media.alt, "image": blob}
        ratio = aspect_ratio(media.path)
        if ratio:
            image["aspectRatio"] = {"width": ratio[0], "height": ratio[1]}
        return image

    def _create(self, record: dict[str, Any], rkey: str) -> Published:
        did = self._ensure_session()
        response = self._call(
            "POST",
            "com.atproto.repo.createRecord",
            idempotent=True,  # the record key is fixed, so a repeat cannot post twice
            body={
                "repo": did,
                "collection": POST,
                "rkey": rkey,
                "validate": True,
                "record": record,
            },
        )
        if response.status_code == 200:
            return self._published(as_dict(self.http.json(response, after_publish=True)), rkey)
        if self._looks_duplicate(response):
            return self._find_published(
                rkey,
                record["text"],
                PayloadRejected(
                    "Bluesky says this post already exists.", reason=self._reason(response)
                ),
            )
        raise self._fail(response, "publish the post")

    @staticmethod
    def _looks_duplicate(response: httpx.Response) -> bool:
        # Today a PDS answers a create on a taken record key with a bare 500
        # (bluesky-social/atproto#3718, indigo#873; the http wrapper turns it into
        # OutcomeUnknown); an explicit 4xx error is on its way (atproto PR #4728),
        # its name not settled, so any 4xx that says so is read back the same way.
        if response.status_code not in (400, 409):
            return False
        error, message = BlueskySession._error_of(response)
        words = f"{error} {message}".lower()
        return any(word in words for word in ("exist", "duplicate", "conflict"))

    def _published(self, answer: dict[str, Any], rkey: str) -> Published:
        uri, cid = answer.get("uri"), answer.get("cid")
        if not isinstance(uri, str) or not isinstance(cid, str):
            raise OutcomeUnknown("Bluesky's answer to the post lacks the post's address.")
        return Published(
            remote_id=uri, url=post_url(self._handle(), rkey), extra={"uri": uri, "cid": cid}
        )

    def _find_published(self, rkey: str, text: str, error: ConnectorError) -> Published:
        """Read the record back: if it holds this text, the post went out; else re-raise."""
        try:
            did = self._ensure_session()
            response = self._call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": did, "collection": POST, "rkey": rkey},
            )
            answer = self._answer(response, "find the post") if response.status_code == 200 else {}
        except ConnectorError:
            raise error from None
        value = as_dict(answer.get("value"))
        if not value or not isinstance(answer.get("cid"), str):
            raise error  # not there (RecordNotFound) or unreadable: the first error stands
        if value.get("text") != text:
            raise PayloadRejected(
                "Bluesky already holds a different post under this post's key, from an "
                "earlier attempt whose text was changed since: "
                f"{post_url(self._handle(), rkey)}. Delete it there, then send this one again."
            )
        return self._published(
            {"uri": answer.get("uri") or f"at://{did}/{POST}/{rkey}", "cid": answer["cid"]}, rkey
        )

    # -- delete

    def delete(self, published: Published) -> None:
        """Delete one of the account's own posts (deleting a deleted post is fine)."""
        uri = published.extra.get("uri") or published.remote_id
        repo, collection, rkey = at_uri_parts(uri)
        did = self._ensure_session()
        if repo not in (did, self._handle()) or collection != POST:
            raise PayloadRejected(
                f"{uri} is not a post of this channel's Bluesky account; houseboat deletes "
                "only the account's own posts."
            )
        response = self._call(
            "POST",
            "com.atproto.repo.deleteRecord",
            idempotent=True,  # "Delete a record, or ensure it doesn't exist"
            body={"repo": did, "collection": POST, "rkey": rkey},
        )
        if response.status_code != 200:
            raise self._fail(response, "delete the post")

    def exists(self, published: Published) -> bool:
        """Tell whether the post's record is still in the account's repository."""
        uri = published.extra.get("uri") or published.remote_id
        repo, collection, rkey = at_uri_parts(uri)
        response = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": collection, "rkey": rkey},
        )
        if response.status_code == 200:
            return True
        error, _ = BlueskySession._error_of(response)
        if response.status_code == 400 and error == "RecordNotFound":
            return False
        raise self._fail(response, "look up the post")

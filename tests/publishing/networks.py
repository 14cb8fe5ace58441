"""Small stand-ins for Mastodon, X and Telegram that keep what was posted to them.

Each answers through a respx router in the shape of the network's documented API
(the same shapes as tests/fixtures/<network>/), so the real connectors and the real
HTTP wrapper run end to end. Each counts the posts it really created, which is
what a test of "never twice" must look at. ``then_drop`` makes the next publish
happen on the network but lose its answer on the way back (a read timeout).
"""

from __future__ import annotations

import html
import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import respx

from houseboat.connectors.models import Channel
from houseboat.core.models import Team


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeNetwork:
    """A network in a test: a router, the posts it holds, and failures to act out."""

    network = ""

    def __init__(self) -> None:
        self.router = respx.Router(assert_all_called=False)
        self.posts: list[dict[str, Any]] = []  # newest last
        self.publish_calls = 0
        self.ids = itertools.count(1001)
        # What the next publish calls do: "ok", "drop" (post, then lose the answer),
        # "lost" (lose the request before it is posted), or an httpx.Response to answer.
        self.script: list[Any] = []
        self.routes()

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.router.handler)

    def routes(self) -> None:
        raise NotImplementedError

    def then(self, *steps: Any) -> FakeNetwork:
        self.script.extend(steps)
        return self

    def publish(self, request: httpx.Request) -> httpx.Response:
        """Act out the next scripted step, then post for real unless told otherwise."""
        self.publish_calls += 1
        step = self.script.pop(0) if self.script else "ok"
        if isinstance(step, httpx.Response):
            return step
        if step == "lost":
            raise httpx.ReadTimeout("the answer never came", request=request)
        answer = self.create(request)
        if step == "drop":
            raise httpx.ReadTimeout("the answer never came", request=request)
        return answer

    def create(self, request: httpx.Request) -> httpx.Response:
        raise NotImplementedError

    def texts(self) -> list[str]:
        return [post["text"] for post in self.posts]


MENTION = re.compile(r"@([\w.-]+)@([\w.-]+\.\w+)")


def as_mastodon_html(text: str) -> str:
    """The status's text as Mastodon renders it: a mention of a remote account shows as
    ``@name`` only, in the h-card markup of a real answer (tests/fixtures/mastodon/
    notifications_mentions.json)."""

    def card(match: re.Match) -> str:
        name, host = match.group(1), match.group(2)
        return (
            f'<span class="h-card" translate="no"><a href="https://{host}/@{name}" '
            f'class="u-url mention">@<span>{name}</span></a></span>'
        )

    return MENTION.sub(card, html.escape(text, quote=False))


class FakeMastodon(FakeNetwork):
    """POST /api/v1/statuses honouring Idempotency-Key, as Mastodon does for an hour."""

    network = "mastodon"
    base_url = "https://social.example"
    account = {
        "id": "14715",
        "username": "freetheten",
        "acct": "freetheten",
        "display_name": "Free the Ten",
        "url": "https://social.example/@freetheten",
    }

    def __init__(self) -> None:
        self.by_key: dict[str, dict[str, Any]] = {}
        super().__init__()

    def routes(self) -> None:
        base = self.base_url
        self.router.post(f"{base}/api/v1/statuses").mock(side_effect=self.publish)
        self.router.get(f"{base}/api/v1/accounts/verify_credentials").mock(
            return_value=httpx.Response(200, json=self.account)
        )
        self.router.get(f"{base}/api/v1/accounts/14715/statuses").mock(side_effect=self.timeline)
        self.router.post(f"{base}/api/v2/media").mock(side_effect=self.upload)
        self.router.get(url__regex=rf"{base}/api/v1/media/\d+").mock(side_effect=self.media)

    # Media: a video stays "processing" (206) for ``processing_checks`` looks, as
    # https://docs.joinmastodon.org/methods/media/#get describes; ``on_media_check``
    # runs at each look (a test acts out another worker meanwhile).
    processing_checks = 0
    on_media_check: Any = None

    def upload(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(202, json={"id": "22348642", "type": "video", "url": None})

    def media(self, request: httpx.Request) -> httpx.Response:
        if self.on_media_check is not None:
            self.on_media_check()
        if self.processing_checks > 0:
            self.processing_checks -= 1
            return httpx.Response(206, json={"id": "22348642", "type": "video", "url": None})
        ready = f"{self.base_url}/system/media_attachments/files/022/348/642/original/v.mp4"
        return httpx.Response(200, json={"id": "22348642", "type": "video", "url": ready})

    def create(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("Idempotency-Key", "")
        if key and key in self.by_key:
            return httpx.Response(200, json=self.by_key[key])
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        remote_id = str(next(self.ids))
        status = {
            "id": remote_id,
            "created_at": iso(datetime.now(UTC)),
            "in_reply_to_id": form.get("in_reply_to_id"),
            "content": f"<p>{as_mastodon_html(form['status'])}</p>",
            "spoiler_text": form.get("spoiler_text", ""),
            "visibility": "public",
            "uri": f"{self.base_url}/users/freetheten/statuses/{remote_id}",
            "url": f"{self.base_url}/@freetheten/{remote_id}",
            "reblog": None,
            "account": self.account,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
        }
        self.posts.append({**status, "text": form["status"], "key": key})
        if key:
            self.by_key[key] = status
        return httpx.Response(200, json=status)

    def timeline(self, request: httpx.Request) -> httpx.Response:
        """Newest first, ``limit`` at a time, older than ``max_id`` when given."""
        shown = [{k: v for k, v in p.items() if k not in ("text", "key")} for p in self.posts]
        shown.reverse()
        max_id = request.url.params.get("max_id")
        if max_id:
            shown = [status for status in shown if int(status["id"]) < int(max_id)]
        return httpx.Response(200, json=shown[: int(request.url.params.get("limit", 20))])


class FakeX(FakeNetwork):
    """POST /2/tweets (no idempotency key) and the account's own timeline."""

    network = "x"
    base_url = "https://api.x.com"
    me = {"id": "2244994945", "name": "Free the Ten", "username": "freetheten"}

    def __init__(self, *, timeline: bool = True) -> None:
        self.timeline_works = timeline
        super().__init__()

    def routes(self) -> None:
        base = self.base_url
        self.router.post(f"{base}/2/tweets").mock(side_effect=self.publish)
        self.router.get(f"{base}/2/users/me").mock(
            return_value=httpx.Response(200, json={"data": self.me})
        )
        self.router.get(f"{base}/2/users/{self.me['id']}/tweets").mock(side_effect=self.timeline)

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        remote_id = str(next(self.ids))
        reply = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        self.posts.append(
            {
                "id": remote_id,
                "text": body.get("text", ""),
                "created_at": iso(datetime.now(UTC)),
                "author_id": self.me["id"],
                "referenced_tweets": [{"type": "replied_to", "id": reply}] if reply else [],
            }
        )
        return httpx.Response(201, json={"data": {"id": remote_id, "text": body.get("text")}})

    def timeline(self, request: httpx.Request) -> httpx.Response:
        if not self.timeline_works:
            return httpx.Response(503, json={"title": "Service Unavailable"})
        data = [{k: v for k, v in p.items() if v} for p in reversed(self.posts)]
        meta = {"result_count": len(data)}
        return httpx.Response(
            200, json={"data": data, "includes": {"users": [self.me]}, "meta": meta}
        )


class FakeTelegram(FakeNetwork):
    """sendMessage to a channel; a bot cannot list the channel's posts."""

    network = "telegram"
    base_url = "https://api.telegram.org"
    token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
    chat = {
        "id": -1001234567890,
        "title": "Free the Ten",
        "username": "freetheten",
        "type": "channel",
    }

    def routes(self) -> None:
        self.router.post(f"{self.base_url}/bot{self.token}/sendMessage").mock(
            side_effect=self.publish
        )

    def create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        number = next(self.ids)
        reply_to = (body.get("reply_parameters") or {}).get("message_id")
        self.posts.append(
            {
                "message_id": number,
                "text": body["text"],
                "reply_to": str(reply_to) if reply_to is not None else None,
            }
        )
        message = {
            "message_id": number,
            "sender_chat": self.chat,
            "chat": self.chat,
            "date": int((datetime.now(UTC) - timedelta(seconds=1)).timestamp()),
            "text": body["text"],
        }
        return httpx.Response(200, json={"ok": True, "result": message})


def channel_for(fake: FakeNetwork, team: Team, name: str = "") -> Channel:
    """A team's channel pointing at the stand-in network."""
    settings = {
        "mastodon": ({"base_url": FakeMastodon.base_url}, {"access_token": "mastodon-token-1"}),
        "x": ({}, {"access_token": "x-access-token-1"}),
        "telegram": ({"chat_id": "@freetheten"}, {"bot_token": FakeTelegram.token}),
    }
    config, secrets = settings[fake.network]
    return Channel.objects.create(
        team=team,
        network=fake.network,
        name=name or fake.network.title(),
        config=config,
        secrets=secrets,
    )


class Networks:
    """Every stand-in at once, behind one transport that routes by host."""

    def __init__(self, *fakes: FakeNetwork) -> None:
        self.fakes = {httpx.URL(fake.base_url).host: fake for fake in fakes}

    def handler(self, request: httpx.Request) -> httpx.Response:
        return self.fakes[request.url.host].router.handler(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

"""The demo's team inbox: replies to the team's post, a mention, a direct message, a threat.

The items come in through the archive's one pipeline, as a live column would bring
them, and the filing step files them, as the worker would. Everything is invented;
the demo's channels reach no network (``houseboat.publishing.demo``), so a reply an
organiser writes is queued, and its sending fails here instead of reaching anyone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.connectors.models import Channel
from houseboat.core.models import Membership
from houseboat.inbox import services
from houseboat.inbox.filing import file_all
from houseboat.inbox.models import InboxEntry
from houseboat.listening.alerting import check_all
from houseboat.listening.imports import capture_live
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery

HANDLES = {"mastodon": "@freeriverside10@social.example", "x": "@FreeRiverside10"}


def seed_inbox(campaign: Campaign) -> int:
    """Give the demo team's accounts their handles, bring in what they received, file it.

    Needs the demo's channels and sent posts (``seed_publishing``); return how many
    entries the inbox holds.
    """
    team = campaign.team
    for network, handle in HANDLES.items():
        Channel.objects.filter(team=team, network=network, account_handle="").update(
            account_handle=handle
        )
    post_id = sent_post_id(campaign)
    now = datetime.now(UTC).replace(microsecond=0)
    capture_live(
        campaign=campaign, items=mastodon_items(post_id, now), network="mastodon", source="demo"
    )
    capture_live(campaign=campaign, items=[direct_message(now)], network="telegram", source="demo")
    check_all(campaign)  # the threat is flagged before anyone opens the inbox
    file_all(campaign)
    give_threat_to_owner(campaign)
    return InboxEntry.objects.filter(campaign=campaign).count()


def sent_post_id(campaign: Campaign) -> str:
    """Return the id on Mastodon of the demo's post that went out, recording it if missing.

    The demo's posts never reached a network; the dispatcher would have written down the
    id the network gave, and replies name the post by that id.
    """
    delivery = (
        Delivery.objects.filter(
            variant__post__campaign=campaign,
            variant__channel__network="mastodon",
            state=DeliveryState.SENT,
        )
        .order_by("sent_at")
        .first()
    )
    if delivery is None:
        return ""
    if not delivery.remote_id:
        delivery.remote_id = delivery.remote_url.rstrip("/").rsplit("/", 1)[-1]
        delivery.save(update_fields=["remote_id"])
    return delivery.remote_id


def person(handle: str, name: str) -> RemoteAuthor:
    server = handle.rsplit("@", 1)[-1]
    user = handle.split("@")[1]
    return RemoteAuthor(
        remote_id=f"demo-{user}", handle=handle, display_name=name, url=f"https://{server}/@{user}"
    )


def mastodon_items(post_id: str, now: datetime) -> list[RemoteItem]:
    """Two replies to the team's post (one a threat), and a mention in a post of its own."""

    def status(number: int, who: RemoteAuthor, hours: float, text: str, **fields) -> RemoteItem:
        server = who.handle.rsplit("@", 1)[-1]
        user = who.handle.split("@")[1]
        remote_id = f"{number}"
        return RemoteItem(
            network="mastodon",
            remote_id=remote_id,
            text=text,
            created_at=now - timedelta(hours=hours),
            author=who,
            url=f"https://{server}/@{user}/{remote_id}",
            language="en",
            mentions=["freeriverside10@social.example"],
            raw={"id": remote_id, "visibility": "public", "content": text},
            **fields,
        )

    ines = person("@ines@mastodon.example", "Inès Laurent")
    troll = person("@harbourpatriot@brigade.example", "Harbour Patriot")
    teacher = person("@mr_osei@teachers.example", "Kwame Osei")
    reply_to: dict[str, Any] = {"reply_to_id": post_id} if post_id else {}
    return [
        status(
            98001,
            ines,
            14,
            "@freeriverside10 Is there an address where we can send letters to the ten? "
            "My students want to write to them.",
            **reply_to,
        ),
        status(
            98002,
            troll,
            9,
            "@freeriverside10 Stop this campaign. We know where you live. Watch your back.",
            **reply_to,
        ),
        status(
            98003,
            teacher,
            3,
            "Proud to stand with @freeriverside10 at Friday's vigil. Reporting is not a crime. "
            "#FreeRiverside10",
            hashtags=["FreeRiverside10"],
        ),
    ]


def direct_message(now: datetime) -> RemoteItem:
    """A person writing privately to the team's Telegram bot (a Bot API update)."""
    from houseboat.connectors.telegram.messages import read_item  # the connector's own reading

    sender = {"id": 700100200, "is_bot": False, "first_name": "Yara", "username": "yara_k"}
    message = {
        "message_id": 41,
        "from": sender,
        "chat": {"id": 700100200, "type": "private", "first_name": "Yara", "username": "yara_k"},
        "date": int((now - timedelta(hours=1)).timestamp()),
        "text": "Hello, my cousin is one of the ten. Our family would like to speak at the "
        "vigil. Who can we talk to?",
    }
    return read_item(message, {"update_id": 500001, "message": message})


def give_threat_to_owner(campaign: Campaign) -> None:
    """Give the threatening reply to the owner with a "safety" tag, as a team would."""
    from houseboat.safety.models import Alert

    flagged = Alert.objects.filter(campaign=campaign).values_list("network", "remote_id")
    entry = next(
        (
            entry
            for entry in InboxEntry.objects.filter(campaign=campaign).select_related("item")
            if (entry.network, entry.item.remote_id) in set(flagged)
        ),
        None,
    )
    owner = Membership.objects.filter(team=campaign.team, role="owner").first()
    if entry is None or owner is None:
        return
    services.assign(owner, entry, owner.user)
    services.set_tags(owner, entry, "safety")

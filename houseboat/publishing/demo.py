"""The demo's Publish area: posts in every state, on channels that never reach a network.

`houseboat demo` shows the product at its best, and the screenshots show the same
demo: a post that went out everywhere, one that partly failed and needs a person,
two on the calendar, one waiting for approval and one sent back with a comment.

The demo's network channels point at this machine's discard port (127.0.0.1:9),
an address houseboat refuses to call: a demo left running past tomorrow's posting
time fails those deliveries here and never reaches Mastodon, X or Telegram.
Everything in the posts is invented.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.campaigns.services import SitePictureFile, publish_to_site
from houseboat.connectors.models import Channel
from houseboat.core.models import Membership
from houseboat.publishing import services
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus
from houseboat.publishing.models import Delivery, Post, QueueSlot
from houseboat.publishing.queue import SUGGESTED

NOWHERE = "http://127.0.0.1:9"  # the discard port; refused as a private address


def demo_channels(campaign: Campaign) -> tuple[Channel, Channel, Channel]:
    """Mastodon, X and Telegram channels that look connected and can reach nothing."""
    team = campaign.team

    def channel(network: str, name: str, config: dict, secrets: dict) -> Channel:
        return Channel.objects.create(
            team=team, network=network, name=name, config=config, secrets=secrets, status="ok"
        )

    mastodon = channel(
        "mastodon", "Mastodon — @freeriverside10", {"base_url": NOWHERE}, {"access_token": "demo"}
    )
    x = channel("x", "X — @FreeRiverside10", {"api_base_url": NOWHERE}, {"access_token": "demo"})
    telegram = channel(
        "telegram",
        "Telegram — Riverside updates",
        {"chat_id": "@riversideupdates", "api_base_url": NOWHERE},
        {"bot_token": "123456789:" + "D" * 35},  # shaped like a real one, valid nowhere
    )
    # Posting times (the queue): Mastodon on weekdays, Telegram every morning; X has none.
    zone = settings.TIME_ZONE
    QueueSlot.objects.bulk_create(
        [QueueSlot(channel=mastodon, weekday=d, time=t, time_zone=zone) for d, t in SUGGESTED]
        + [QueueSlot(channel=telegram, weekday=d, time=time(8), time_zone=zone) for d in range(7)]
    )
    return mastodon, x, telegram


def settle(
    post: Post, network: str, state: str, *, when: datetime, url: str = "", error: str = ""
) -> None:
    """Mark a post's deliveries to one network as the demo's story says they went."""
    kind = {
        DeliveryState.FAILED: ErrorKind.AUTH_REVOKED,
        DeliveryState.UNKNOWN: ErrorKind.OUTCOME_UNKNOWN,
    }.get(state, "")
    Delivery.objects.filter(variant__post=post, variant__channel__network=network).update(
        state=state,
        sent_at=when if state == DeliveryState.SENT else None,
        due_at=when,
        remote_url=url,
        last_error=error,
        error_kind=kind,
    )


def vigil_picture(folder: Path) -> Path:
    """Draw the demo's picture: ten candles under the campaign's name (nobody's face)."""
    from PIL import Image, ImageDraw, ImageFont  # loaded only to fill a demo

    picture = Image.new("RGB", (1200, 630), (22, 34, 58))
    draw = ImageDraw.Draw(picture)
    for number in range(10):
        x = 150 + number * 100
        draw.rectangle((x - 14, 330, x + 14, 470), fill=(236, 228, 210))
        draw.ellipse((x - 12, 280, x + 12, 325), fill=(255, 196, 64))
    font = ImageFont.load_default(size=56)
    draw.text((600, 140), "FREE THE RIVERSIDE TEN", font=font, fill=(255, 255, 255), anchor="mm")
    draw.text((600, 540), "60 days without charge", font=font, fill=(255, 196, 64), anchor="mm")
    path = folder / "vigil.png"
    picture.save(path, "PNG")
    return path


def sent_to_own_site(post: Post, campaign: Campaign, author_id: int, when: datetime) -> None:
    """Put the post on the public page for real, as the dispatcher would have."""
    variant = post.variants.select_related("channel", "post__campaign").get(
        channel__network="own_site"
    )
    site_post = publish_to_site(
        campaign=campaign,
        text="\n".join(services.part_texts(variant)),
        author_id=author_id,
        key=f"demo-post-{post.pk}",
        pictures=[
            SitePictureFile(Path(a.file.path), a.mime_type, a.alt) for a in post.attachments.all()
        ],
    )
    type(site_post).objects.filter(pk=site_post.pk).update(published_at=when)
    url = f"{campaign.public_url()}posts/{site_post.pk}/"
    settle(post, "own_site", DeliveryState.SENT, when=when, url=url)
    # Its id, as the dispatcher writes it, so the demo's post can be taken down.
    Delivery.objects.filter(variant=variant).update(remote_id=str(site_post.pk))


def seed_publishing(campaign: Campaign) -> None:
    """Fill the Publish area and its calendar (needs the demo's daniel and lucia)."""
    team = campaign.team
    editor = Membership.objects.get(team=team, user__username="daniel")
    contributor = Membership.objects.get(team=team, user__username="lucia")
    mastodon, x, telegram = demo_channels(campaign)
    now = timezone.now().replace(second=0, microsecond=0)
    tomorrow_nine = (now + timedelta(days=1)).replace(hour=9, minute=0)

    def post(member, text, *channels, at=None, link=""):
        return services.create_post(
            membership=member,
            campaign=campaign,
            text=text,
            channels=channels,
            link=link,
            scheduled_at=at,
        )

    # Went out yesterday, everywhere.
    sent = post(
        editor,
        "Still no charge for the ten reporters of the Riverside Courier, 60 days on. "
        "What we ask the Ministry of Justice: #FreeRiverside10",
        mastodon,
        x,
        at=tomorrow_nine,
        link="https://riverside.example/day-60",
    )
    with tempfile.TemporaryDirectory(prefix="houseboat-demo-picture-") as folder:
        services.add_attachment(
            editor,
            sent,
            vigil_picture(Path(folder)),
            alt="Ten lit candles on a dark blue background, under the words "
            "“Free the Riverside Ten” and “60 days without charge”.",
        )
    services.schedule(editor, sent)
    yesterday = now - timedelta(days=1, hours=3)
    settle(
        sent,
        "mastodon",
        DeliveryState.SENT,
        when=yesterday,
        url="https://social.example/@freeriverside10/1120",
    )
    settle(
        sent, "x", DeliveryState.SENT, when=yesterday, url="https://x.com/FreeRiverside10/status/1"
    )
    sent_to_own_site(sent, campaign, editor.user_id, yesterday)
    Post.objects.filter(pk=sent.pk).update(status=PostStatus.SENT, scheduled_at=yesterday)

    # Went out on Mastodon; X refused the token; Telegram did not answer: needs a person.
    mixed = post(
        editor,
        "The Ministry has 21 days to answer Deputy Sarr's question. We will publish the answer "
        "the day it comes. Write to your MP today.",
        mastodon,
        x,
        telegram,
        at=tomorrow_nine,
    )
    services.schedule(editor, mixed)
    earlier = now - timedelta(hours=5)
    settle(
        mixed,
        "mastodon",
        DeliveryState.SENT,
        when=earlier,
        url="https://social.example/@freeriverside10/1133",
    )
    sent_to_own_site(mixed, campaign, editor.user_id, earlier)
    settle(
        mixed,
        "x",
        DeliveryState.FAILED,
        when=earlier,
        error="The X access token was revoked or has expired: reconnect the channel on the "
        "Channels page.",
    )
    settle(
        mixed,
        "telegram",
        DeliveryState.UNKNOWN,
        when=earlier,
        error="Telegram did not answer in time, and houseboat could not see the channel's "
        "recent posts.",
    )
    Post.objects.filter(pk=mixed.pk).update(status=PostStatus.PARTLY_FAILED, scheduled_at=earlier)

    # On the calendar for the coming days.
    for days, text in [
        (
            1,
            "Vigil at the Courier's office: Friday 6 pm, 14 Quay Street. Bring a candle, not a sign.",
        ),
        (
            3,
            "Sixty-three days. Still no charge. Still no lawyer for three of them. #FreeRiverside10",
        ),
    ]:
        upcoming = post(
            editor, text, mastodon, x, telegram, at=tomorrow_nine + timedelta(days=days - 1)
        )
        services.schedule(editor, upcoming)

    # A contributor's post waiting for approval, and one sent back with a comment.
    waiting = post(
        contributor,
        "Families of the ten will speak at the vigil on Friday. Come and listen.",
        mastodon,
        telegram,
        at=tomorrow_nine + timedelta(days=2, hours=9),
    )
    services.submit(contributor, waiting)
    returned = post(contributor, "The minister must answer!!!", x)
    services.submit(contributor, returned)
    services.send_back(
        editor,
        returned,
        comment="Say which minister and which question, and link to Deputy Sarr's question.",
    )

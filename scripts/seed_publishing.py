"""Posts in every state for the screenshots of the Publish pages (run inside `houseboat shell`).

    houseboat --data-dir DEMO_DIR shell -c "exec(open('scripts/seed_publishing.py').read())"

Only for a throwaway demo: the channels point at addresses that do not exist, and
nothing is due before tomorrow, so the demo's worker never tries to send anything.
"""

from datetime import time, timedelta

from django.conf import settings
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.models import Membership, User
from houseboat.publishing import services
from houseboat.publishing.constants import DeliveryState, ErrorKind, PostStatus
from houseboat.publishing.models import Delivery, Post, QueueSlot
from houseboat.publishing.queue import SUGGESTED

CONTRIBUTOR_PASSWORD = "quiet lantern river stone"  # noqa: S105 (a throwaway demo account)


def seed_publishing() -> None:
    campaign = Campaign.objects.get(slug="free-the-riverside-ten")
    team = campaign.team
    editor = Membership.objects.get(team=team, user__username="daniel")
    contributor = Membership.objects.get(team=team, user__username="lucia")
    lucia = User.objects.get(username="lucia")
    lucia.set_password(CONTRIBUTOR_PASSWORD)
    lucia.save()
    mastodon = Channel.objects.create(
        team=team,
        network="mastodon",
        name="Mastodon — @freeriverside10",
        config={"base_url": "https://social.example"},
        secrets={"access_token": "demo"},
        status="ok",
    )
    x = Channel.objects.create(
        team=team,
        network="x",
        name="X — @FreeRiverside10",
        secrets={"access_token": "demo"},
        status="ok",
    )
    telegram = Channel.objects.create(
        team=team,
        network="telegram",
        name="Telegram — Riverside updates",
        config={"chat_id": "@riversideupdates"},
        secrets={"bot_token": "123:demo"},
        status="ok",
    )
    # Posting times (the queue): Mastodon on weekdays, Telegram every morning; X has none.
    zone = settings.TIME_ZONE
    QueueSlot.objects.bulk_create(
        [QueueSlot(channel=mastodon, weekday=d, time=t, time_zone=zone) for d, t in SUGGESTED]
        + [QueueSlot(channel=telegram, weekday=d, time=time(8), time_zone=zone) for d in range(7)]
    )
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

    def settle(item, network, state, *, when, url="", error="", kind=""):
        Delivery.objects.filter(variant__post=item, variant__channel__network=network).update(
            state=state,
            sent_at=when if state == DeliveryState.SENT else None,
            due_at=when,
            remote_url=url,
            last_error=error,
            error_kind=kind,
        )

    # Went out yesterday, everywhere.
    sent = post(
        editor,
        "Day 60: ten journalists, still no charge. Sixty days ago police in Port Verene detained "
        "ten reporters of the Riverside Courier. None has been charged. #FreeRiverside10",
        mastodon,
        x,
        at=tomorrow_nine,
        link="https://riverside.example/day-60",
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
    settle(sent, "own_site", DeliveryState.SENT, when=yesterday, url="/c/free-the-riverside-ten/")
    Post.objects.filter(pk=sent.pk).update(status=PostStatus.SENT, scheduled_at=yesterday)

    # Went out on Mastodon; X refused the token; Telegram did not answer.
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
    settle(mixed, "own_site", DeliveryState.SENT, when=earlier, url="/c/free-the-riverside-ten/")
    settle(
        mixed,
        "x",
        DeliveryState.FAILED,
        when=earlier,
        error="The X access token was revoked or has expired: reconnect the channel on the Channels page.",
        kind=ErrorKind.AUTH_REVOKED,
    )
    settle(
        mixed,
        "telegram",
        DeliveryState.UNKNOWN,
        when=earlier,
        error="Telegram did not answer in time, and houseboat could not see the channel's recent posts.",
        kind=ErrorKind.OUTCOME_UNKNOWN,
    )
    Post.objects.filter(pk=mixed.pk).update(status=PostStatus.PARTLY_FAILED, scheduled_at=earlier)

    # Scheduled for the coming days.
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


seed_publishing()

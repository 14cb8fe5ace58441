"""The demo's board: columns that show the sample archive, and one that reads a feed live.

The demo's channels can reach no network (see publishing/demo.py), so the columns on
them are paused and say so; they show what the sample archive holds for them, linked
as a poll would link it. The feed column reads the demo's own public Atom feed, served
by the demo on 127.0.0.1: the worker polls it for real, through the RSS connector, and
it fills within a round. Reaching 127.0.0.1 needs ``allow_private_network``, which the
demo sets knowingly for its own address.
"""

from __future__ import annotations

from django.db.models import Q

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.listening.constants import ColumnKind
from houseboat.listening.models import Column, ColumnItem, Item

DEMO_PAUSED = (
    "Demo: this channel is not connected to a real network, so the column shows what the "
    "sample archive holds for it. With a connected channel it keeps filling by itself."
)


def seed_columns(campaign: Campaign, *, port: int) -> list[Column]:
    """Add the demo board: two columns from the sample archive, one live feed column."""
    team = campaign.team
    x = Channel.objects.filter(team=team, network="x").first()
    telegram = Channel.objects.filter(team=team, network="telegram").first()
    made = []
    if x is not None:
        made.append(
            archive_column(
                campaign,
                x,
                ColumnKind.HASHTAG,
                "FreeRiverside10",
                Q(network="x", hashtags__icontains="freeriverside10"),
            )
        )
    if telegram is not None:
        made.append(archive_column(campaign, telegram, ColumnKind.CHATS, "", Q(network="telegram")))
    made.append(
        Column.objects.create(
            campaign=campaign,
            kind=ColumnKind.FEED,
            query=f"http://127.0.0.1:{port}{campaign.feed_url()}",
            allow_private_network=True,
            interval_seconds=60,
            position=len(made),
        )
    )
    return made


def archive_column(
    campaign: Campaign, channel: Channel, kind: str, query: str, matching: Q
) -> Column:
    """A paused column showing the archive's items that match, oldest linked first."""
    position = Column.objects.filter(campaign=campaign).count()
    column = Column.objects.create(
        campaign=campaign,
        channel=channel,
        kind=kind,
        query=query,
        position=position,
        paused=True,
        pause_reason=DEMO_PAUSED,
    )
    items = Item.objects.filter(matching, campaign=campaign).order_by("created_at", "id")
    links = [
        ColumnItem(column=column, item_id=pk, seen_at=captured)
        for pk, captured in items.values_list("pk", "captured_at")
    ]
    ColumnItem.objects.bulk_create(links)
    Column.objects.filter(pk=column.pk).update(items_seen=len(links), items_new=len(links))
    return column

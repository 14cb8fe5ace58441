"""Corrections a later import makes to items already in the archive.

Chat exports (WhatsApp, old Telegram Desktop) carry only the local time of the
phone or computer. An import without ``--timezone`` reads it as UTC; importing the
same file again with the right zone finds the same items (their ids ignore the
zone) and moves their posting time, the hourly counts and the hashtag rows with
it. The payload read with the zone is kept as a later capture of the item, and the
number of corrected items goes into the capture's custody record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from houseboat.campaigns.models import Campaign
from houseboat.listening.analytics import count_items, team_handles
from houseboat.listening.ingest import aware
from houseboat.listening.models import Item, ItemHashtag
from houseboat.listening.records import Captured


def correct_times(campaign: Campaign, batch: Sequence[Captured]) -> int:
    """Move the stored posting time of known items to what this import reads; return how many."""
    wanted: dict[tuple[str, str], datetime] = {}
    for record in batch:
        item = record.item
        moment = aware(item.created_at)
        if moment is not None:
            wanted[(item.network, item.remote_id)] = moment
    by_network: dict[str, list[str]] = defaultdict(list)
    for network, remote_id in wanted:
        by_network[network].append(remote_id)
    moves: dict[int, tuple[datetime | None, datetime]] = {}
    for network, remote_ids in by_network.items():
        rows = Item.objects.filter(
            campaign=campaign, network=network, remote_id__in=remote_ids
        ).values_list("id", "remote_id", "created_at")
        for pk, remote_id, stored in rows:
            new = wanted[(network, remote_id)]
            if stored != new:
                moves[pk] = (stored, new)
    if not moves:
        return 0
    items = Item.objects.filter(pk__in=moves)
    hashtags = ItemHashtag.objects.filter(item_id__in=moves)
    handles = team_handles(campaign)
    with transaction.atomic():
        # Every roll-up that depends on the time (hours, days, first posts) moves with the
        # items: counted out at their old times, then in at the new ones, by the one path.
        count_items(items, hashtags, handles).save(campaign.pk, sign=-1)
        for pk, (_old, new) in moves.items():
            Item.objects.filter(pk=pk).update(created_at=new)
            ItemHashtag.objects.filter(item_id=pk).update(created_at=new)
        count_items(items, hashtags, handles).save(campaign.pk)
    return len(moves)

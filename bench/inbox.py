"""How fast the team inbox's filing step reads new archive items.

    python3 -m uv run --frozen python bench/inbox.py [ITEMS]

Fills a throwaway SQLite database with ITEMS archive items (default 100,000) on
Mastodon, X and Telegram, from 1,000 authors: 1 in 25 replies to one of the team's
50 sent posts, 1 in 25 mentions the team's Mastodon account in another case or form,
1 in 100 is a private message to the team's Telegram bot, the rest is the
conversation around the campaign. Then runs the worker step ``file_new_items`` until
it has caught up, and prints items read per second and entries filed.
"""

import json
import os
import sys
import tempfile
import time
import zlib

os.environ.setdefault("HOUSEBOAT_DATA_DIR", tempfile.mkdtemp(prefix="houseboat-bench-"))
os.environ.pop("DATABASE_URL", None)
os.environ["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from houseboat.campaigns.models import Campaign  # noqa: E402
from houseboat.connectors.models import Channel  # noqa: E402
from houseboat.core.models import Team, User  # noqa: E402
from houseboat.inbox.filing import file_new_items  # noqa: E402
from houseboat.inbox.models import InboxEntry  # noqa: E402
from houseboat.listening.models import Author, Item  # noqa: E402
from houseboat.publishing.constants import DeliveryState  # noqa: E402
from houseboat.publishing.models import Delivery, Post, Variant  # noqa: E402

NETWORKS = ("mastodon", "x", "telegram")
MENTIONS = [
    "FreeTheTen@Social.Example",
    "@freetheten@social.example",
    "https://social.example/@freetheten",
]


def raw(payload: dict) -> bytes:
    return zlib.compress(json.dumps(payload).encode())


def fill(items: int) -> None:
    call_command("migrate", verbosity=0)
    team = Team.objects.create(name="Bench", slug="bench")
    campaign = Campaign.objects.create(team=team, name="Bench", slug="bench")
    author = User.objects.create_user("bench")
    mastodon = Channel.objects.create(
        team=team, network="mastodon", name="M", account_handle="@freetheten@social.example"
    )
    Channel.objects.create(team=team, network="telegram", name="T", config={"chat_id": "@ften"})
    for n in range(50):
        post = Post.objects.create(team=team, campaign=campaign, author=author, text=f"post {n}")
        variant = Variant.objects.create(post=post, channel=mastodon)
        Delivery.objects.create(
            variant=variant,
            text=post.text,
            due_at=timezone.now(),
            state=DeliveryState.SENT,
            remote_id=f"9{n:05}",
        )
    authors = Author.objects.bulk_create(
        [
            Author(network=NETWORKS[n % 3], remote_id=str(n), handle=f"@p{n}@else.example")
            for n in range(1000)
        ]
    )
    now, public, private = (
        timezone.now(),
        raw({"visibility": "public"}),
        raw({"message": {"chat": {"type": "private"}}}),
    )
    batch = []
    for i in range(items):
        network = NETWORKS[i % 3]
        fields = {"reply_to_id": "", "mentions": []}
        if i % 25 == 0:
            network, fields["reply_to_id"] = "mastodon", f"9{i % 50:05}"
        elif i % 25 == 1:
            network, fields["mentions"] = "mastodon", [MENTIONS[i % 3]]
        payload = private if network == "telegram" and i % 100 == 2 else public
        batch.append(
            Item(
                campaign=campaign,
                network=network,
                remote_id=str(i),
                text="words " * 20,
                raw=payload,
                raw_sha256=f"{i:064x}",
                captured_at=now,
                created_at=now,
                author=authors[i % 1000],
                **fields,
            )
        )
        if len(batch) == 5000:
            Item.objects.bulk_create(batch)
            batch = []
    Item.objects.bulk_create(batch)


def main(argv: list[str]) -> int:
    items = int(argv[0]) if argv else 100_000
    fill(items)
    start = time.perf_counter()
    read = 0
    while done := file_new_items("bench"):
        read += done
    seconds = time.perf_counter() - start
    print(f"items {read}, entries filed {InboxEntry.objects.count()}")
    print(f"{seconds:.1f} s, {read / seconds:,.0f} items/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

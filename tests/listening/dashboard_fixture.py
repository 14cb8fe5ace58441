"""A small campaign archive whose dashboard and response numbers were counted by hand.

All on 10 May 2026 (UTC). The event "March to the court" runs 12:00-13:00; with
3 hours either side its windows are before [09:00, 12:00), during [12:00, 13:00),
after [13:00, 16:00).

    #  network   author  time   hashtags              link   language
    0  mastodon  a3      05:00  -                     -      en
    1  mastodon  a1      09:10  FreeTheTen            -      en
    2  mastodon  a2      11:30  FreeTheTen            A      en
    3  bluesky   a1      12:15  FreeTheTen, March     -      en
    4  bluesky   a3      13:05  FreeTheTen, March     B      ar
    5  bluesky   a4      14:20  March                 B      ar
    6  mastodon  a2      15:59  FreeTheTen            A      en
    7  mastodon  a5      15:00  March                 A      ar
    8  mastodon  a6      16:00  FreeTheTen            -      es

An account is one handle on one network: a1 on Mastodon and a1 on Bluesky are two
accounts (eight in all). Item 2 mentions the team's account @freetheten@example.social (a Mastodon channel).
"""

from datetime import UTC, datetime

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.imports import capture_live

LINK_A = "https://example.org/a"
LINK_B = "https://example.org/b"
DAY = datetime(2026, 5, 10, tzinfo=UTC)

ROWS = [
    ("mastodon", "a3", (5, 0), [], "", "en"),
    ("mastodon", "a1", (9, 10), ["FreeTheTen"], "", "en"),
    ("mastodon", "a2", (11, 30), ["FreeTheTen"], LINK_A, "en"),
    ("bluesky", "a1", (12, 15), ["FreeTheTen", "March"], "", "en"),
    ("bluesky", "a3", (13, 5), ["FreeTheTen", "March"], LINK_B, "ar"),
    ("bluesky", "a4", (14, 20), ["March"], LINK_B, "ar"),
    ("mastodon", "a2", (15, 59), ["FreeTheTen"], LINK_A, "en"),
    ("mastodon", "a5", (15, 0), ["March"], LINK_A, "ar"),
    ("mastodon", "a6", (16, 0), ["FreeTheTen"], "", "es"),
]


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def remote_item(n: int, network: str, author: str, when, tags, link, language) -> RemoteItem:
    return RemoteItem(
        network=network,
        remote_id=f"{network}-{n}",
        text=f"post {n} " + " ".join("#" + t for t in tags),
        created_at=at(*when),
        author=RemoteAuthor(remote_id=author, handle=author),
        language=language,
        hashtags=tags,
        links=[link] if link else [],
        mentions=["freetheten@example.social"] if n == 2 else [],
        raw={"id": n},
    )


def fill(campaign) -> None:
    """Store the nine items through the archive's one pipeline, as a live read does."""
    by_network: dict[str, list[RemoteItem]] = {}
    for n, row in enumerate(ROWS):
        by_network.setdefault(row[0], []).append(remote_item(n, *row))
    for network, items in by_network.items():
        capture_live(campaign=campaign, items=items, network=network, source="fixture")

"""The dashboard's questions, answered from roll-ups that always agree with the items."""

from collections import Counter
from itertools import permutations

import pytest
from django.db import connection

from houseboat.listening import analytics
from houseboat.listening.imports import run_import
from houseboat.listening.models import AuthorCount, HashtagPair, Item, ItemHashtag
from tests.listening.samples import (
    LATER,
    facebook_files,
    ndjson,
    standard_archive,
    three_tweet_page,
    v2_page,
    v2_tweet,
    write,
    zip_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(campaign_a, tmp_path):
    run_import(campaign=campaign_a, format="x-archive", path=standard_archive(tmp_path / "x.zip"))
    page = write(tmp_path / "a.jsonl", ndjson(three_tweet_page()))
    run_import(campaign=campaign_a, format="x-ndjson", path=page)
    later = v2_page([v2_tweet("1795000000000000001", "Free them", likes=9)], retrieved_at=LATER)
    run_import(
        campaign=campaign_a, format="x-ndjson", path=write(tmp_path / "b.jsonl", ndjson(later))
    )
    run_import(campaign=campaign_a, format="x-ndjson", path=page)  # again: adds nothing
    run_import(
        campaign=campaign_a,
        format="facebook-dyi",
        path=zip_files(tmp_path / "f.zip", facebook_files()),
    )
    return campaign_a


def expected_authors(campaign):
    posts, reposts = Counter(), Counter()
    for author, repost in Item.objects.filter(campaign=campaign, author__isnull=False).values_list(
        "author_id", "repost_of_id"
    ):
        posts[author] += 1
        reposts[author] += bool(repost)
    return {a: (posts[a], reposts[a]) for a in posts}


def expected_pairs(campaign):
    tags = {}
    for item, tag in ItemHashtag.objects.filter(campaign=campaign).values_list("item_id", "tag"):
        tags.setdefault(item, []).append(tag)
    return Counter(pair for found in tags.values() for pair in permutations(sorted(found), 2))


def test_the_roll_ups_agree_with_the_items_after_repeats_and_later_captures(archive):
    assert {
        r.author_id: (r.posts, r.reposts) for r in AuthorCount.objects.filter(campaign=archive)
    } == expected_authors(archive)
    assert {
        (r.tag, r.other): r.count for r in HashtagPair.objects.filter(campaign=archive)
    } == expected_pairs(archive)


def test_the_migrations_backfill_gives_the_same_roll_ups(archive):
    from importlib import import_module

    backfill = import_module("houseboat.listening.migrations.0004_rollups").BACKFILL
    before = (
        set(AuthorCount.objects.values_list("campaign_id", "author_id", "posts", "reposts")),
        set(HashtagPair.objects.values_list("campaign_id", "tag", "other", "count")),
    )
    AuthorCount.objects.all().delete()
    HashtagPair.objects.all().delete()
    with connection.cursor() as cursor:
        for statement in backfill:
            cursor.execute(statement)
    after = (
        set(AuthorCount.objects.values_list("campaign_id", "author_id", "posts", "reposts")),
        set(HashtagPair.objects.values_list("campaign_id", "tag", "other", "count")),
    )
    assert after == before


def test_the_dashboard_questions_are_answered(archive):
    volume = analytics.hourly_volume(archive, "#FreeTheTen")
    assert sum(n for _, n in volume) == ItemHashtag.objects.filter(tag="freetheten").count()
    amplifiers = analytics.top_amplifiers(archive)
    assert [(a.author.handle, a.reposts) for a in amplifiers] == [("harbourpress", 1)]
    most = max(posts for posts, _ in expected_authors(archive).values())
    assert analytics.top_posters(archive)[0].posts == most
    assert analytics.co_hashtags(archive, "FREETHETEN") == [("pressfreedom", 1)]


def test_a_post_stuffed_with_hashtags_adds_pairs_for_its_first_ten_only(campaign_a, tmp_path):
    text = " ".join(f"#t{n:02d}" for n in range(30))
    page = v2_page([v2_tweet("1", text, hashtags=tuple(f"t{n:02d}" for n in range(30)))])
    run_import(
        campaign=campaign_a, format="x-ndjson", path=write(tmp_path / "s.jsonl", ndjson(page))
    )
    assert HashtagPair.objects.count() == 10 * 9

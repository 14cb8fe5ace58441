"""Search in scripts without spaces, and a count that stops at "more than 10,000"."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening import search as search_module
from houseboat.listening.imports import capture_live
from houseboat.listening.models import Item
from houseboat.listening.search import parse_query, search, text_filter

pytestmark = pytest.mark.django_db

ANA = RemoteAuthor("109", "ana", "Ana Reyes")
START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def remote(remote_id: str, text: str, minutes: int = 0) -> RemoteItem:
    return RemoteItem(
        network="x",
        remote_id=remote_id,
        text=text,
        created_at=START + timedelta(minutes=minutes),
        author=ANA,
        url=f"https://x.com/i/web/status/{remote_id}",
        raw={"id": remote_id},
    )


@pytest.fixture
def archive(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[
            remote("zh", "我们要求立即释放被关押的十名记者。新闻自由不是犯罪 #释放十名记者", 1),
            remote("ja", "記者10人の即時釈放を求めます。報道の自由は犯罪ではありません", 2),
            remote("th", "เราเรียกร้องให้ปล่อยตัวนักข่าวทั้งสิบคนทันที เสรีภาพสื่อไม่ใช่อาชญากรรม", 3),
            remote("en", "Free the ten journalists: press freedom is not a crime", 4),
            remote("mixed", "Vigil tonight 今晚守夜 at the Courier", 5),
        ],
        network="x",
        source="test",
    )
    return campaign_a


def found(campaign, query: str) -> list[str]:
    return sorted(item.remote_id for item in search(campaign, query).items)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("释放", ["zh"]),  # "release", two characters inside a sentence
        ("新闻自由", ["zh"]),  # "press freedom", four characters
        ("報道の自由", ["ja"]),  # Japanese, kana between ideographs
        ("自由", ["ja", "zh"]),  # the same two characters in Chinese and Japanese text
        ("เสรีภาพ", ["th"]),  # Thai "freedom", inside a run of Thai
        ("守夜", ["mixed"]),
        ("守夜 vigil", ["mixed"]),  # a spaceless word and a spaced word together
        ("自由 -報道", ["zh"]),
        ("記者 OR เสรีภาพ", ["ja", "th"]),
        ("freedom", ["en"]),  # other scripts still go through the word index
    ],
)
def test_a_word_inside_text_without_spaces_is_found(archive, query, expected):
    assert found(archive, query) == expected


def test_a_missing_word_finds_nothing_and_percent_signs_are_plain_text(archive):
    assert found(archive, "罪犯") == []
    assert found(archive, "自%由") == []
    assert found(archive, "記_者") == []


def test_an_edited_or_deleted_item_leaves_the_trigram_index(archive):
    Item.objects.filter(remote_id="zh").update(text="Now in English only")
    assert found(archive, "释放") == []
    Item.objects.filter(remote_id="en").update(text="现在是中文 释放他们")
    assert found(archive, "释放") == ["en"]
    Item.objects.filter(remote_id="en").delete()
    assert found(archive, "释放") == []


@pytest.mark.backend("sqlite")
def test_sqlite_indexes_only_the_items_in_such_scripts(archive):
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listening_item_trigram_docsize")
        assert cursor.fetchone()[0] == 4


@pytest.mark.backend("postgresql")
def test_postgresql_answers_a_chinese_search_from_the_trigram_index(archive):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        queryset = text_filter(Item.objects.all(), parse_query("新闻自由"))
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "listening_item_text_trigram" in plan, plan


def test_the_count_stops_at_the_cap_and_says_more_than(campaign_a, monkeypatch):
    monkeypatch.setattr(search_module, "COUNT_CAP", 5)
    capture_live(
        campaign=campaign_a,
        items=[remote(str(n), f"vigil number {n}", n) for n in range(8)],
        network="x",
        source="test",
    )
    results = search(campaign_a, "vigil", page_size=2)
    assert (results.total, results.capped) == (5, True)
    assert [i.remote_id for i in results.items] == ["7", "6"]
    exact = search(campaign_a, "number 3")
    assert (exact.total, exact.capped) == (1, False)
    out = io.StringIO()
    call_command("search", "vigil", "--campaign", campaign_a.slug, stdout=out)
    assert out.getvalue().startswith("More than 5 items in free-the-ten match")


@pytest.mark.backend("postgresql")
def test_postgresql_says_more_than_the_cap_from_the_planners_estimate(campaign_a, monkeypatch):
    capture_live(
        campaign=campaign_a,
        items=[remote(str(n), f"vigil number {n}", n) for n in range(8)],
        network="x",
        source="test",
    )
    monkeypatch.setattr(search_module, "COUNT_CAP", 1)
    monkeypatch.setattr(search_module, "ESTIMATE_MARGIN", 0)
    counted = []
    real_count = search_module.QuerySet.count
    monkeypatch.setattr(
        search_module.QuerySet, "count", lambda qs: counted.append(1) or real_count(qs)
    )
    results = search(campaign_a, "vigil")
    assert (results.total, results.capped, counted) == (1, True, [])

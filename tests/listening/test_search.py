"""Full-text search over a campaign's archive: the query as people type it, and the filters."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem, RemoteMedia
from houseboat.listening.imports import capture_live
from houseboat.listening.models import Item
from houseboat.listening.search import (
    ParsedQuery,
    fts5_expression,
    fts5_phrase,
    parse_query,
    search,
    text_filter,
)

pytestmark = pytest.mark.django_db

ANA = RemoteAuthor("109", "ana", "Ana Reyes")
OMAR = RemoteAuthor("207", "OmarK", "عمر")


def remote(remote_id: str, text: str, **kwargs) -> RemoteItem:
    return RemoteItem(
        network=kwargs.pop("network", "x"),
        remote_id=remote_id,
        text=text,
        created_at=kwargs.pop("created_at", datetime(2026, 11, 20, 10, 5, tzinfo=UTC)),
        author=kwargs.pop("author", ANA),
        url=f"https://x.com/i/web/status/{remote_id}",
        language=kwargs.pop("language", "en"),
        raw={"id": remote_id, "text": text},
        **kwargs,
    )


def store(campaign: Campaign, *items: RemoteItem) -> None:
    capture_live(campaign=campaign, items=items, network="x", source="test")


@pytest.fixture
def archive(campaign_a):
    store(
        campaign_a,
        remote("1", "Day 100 of detention for the Riverside Ten #FreeRiverside10"),
        remote(
            "2",
            "الحرية للصحفيين المعتقلين #FreeRiverside10",
            author=OMAR,
            language="ar",
            created_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        ),
        remote(
            "3",
            "Vigilia por los periodistas en detención, viernes a las 18h",
            language="es",
            network="mastodon",
            created_at=datetime(2026, 11, 22, 18, 0, tzinfo=UTC),
            media=[RemoteMedia("https://example.social/vigil.jpg")],
        ),
        remote("4", "The ten reporters of the Riverside Courier are still held"),
        remote("5", "A vigil, not a protest: bring candles", author=OMAR),
    )
    return campaign_a


def ids(results) -> list[str]:
    return [item.remote_id for item in results.items]


# --- reading the query --------------------------------------------------------------------


def test_words_phrases_or_and_exclusions_are_read_like_a_web_search_box():
    parsed = parse_query('riverside "ten reporters" vigil OR vigilia -protest NOT candles')
    assert parsed == ParsedQuery(
        must=(("riverside",), ("ten reporters",), ("vigil", "vigilia")),
        must_not=("protest", "candles"),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"unbalanced quote', ParsedQuery(must=(("unbalanced quote",),))),
        ("-", ParsedQuery()),
        ("- ten", ParsedQuery(must=(("ten",),))),
        ("NEAR(", ParsedQuery(must=(("NEAR(",),))),
        ("OR OR", ParsedQuery()),
        ("* ^ ( ) : 🙂", ParsedQuery()),
        ("", ParsedQuery()),
    ],
)
def test_syntax_that_would_break_a_full_text_engine_is_read_as_text(text, expected):
    assert parse_query(text) == expected


def test_every_phrase_reaches_fts5_quoted_so_no_operator_slips_through():
    positive, negative = fts5_expression(parse_query('NEAR( col:umn -say"s'))
    assert positive == '("NEAR(") AND ("col:umn") AND ("s")'
    assert negative == '("say")'
    assert fts5_phrase('a"b') == '"a""b"'


# --- searching ----------------------------------------------------------------------------


def test_a_word_finds_the_items_that_hold_it_newest_first(archive):
    assert ids(search(archive, "riverside")) == ["4", "1"]


def test_arabic_and_spanish_words_are_found(archive):
    assert ids(search(archive, "المعتقلين")) == ["2"]
    assert ids(search(archive, "detención")) == ["3"]


def test_case_and_the_hash_sign_do_not_matter(archive):
    assert ids(search(archive, "#freeriverside10")) == ["2", "1"]
    assert ids(search(archive, "RIVERSIDE COURIER")) == ["4"]


def test_a_phrase_needs_its_words_side_by_side(archive):
    assert ids(search(archive, '"ten reporters"')) == ["4"]
    assert ids(search(archive, '"reporters ten"')) == []


def test_or_accepts_either_word(archive):
    assert ids(search(archive, "vigil OR vigilia")) == ["3", "5"]


def test_excluded_words_leave_items_out_even_alone(archive):
    assert ids(search(archive, "vigil OR vigilia -protest")) == ["3"]
    assert set(ids(search(archive, "-riverside"))) == {"2", "3", "5"}


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "-",
        "NEAR(",
        'NEAR("a" "b", 2)',
        "a AND OR NOT",
        "*",
        "col:value",
        "^start",
        "((()",
        "'; DROP TABLE listening_item; --",
        "\\",
        "a" * 600,
        "x " * 100,
    ],
)
def test_no_query_is_an_error(archive, text):
    results = search(archive, text)
    assert results.total >= 0
    assert Item.objects.count() == 5


def test_an_empty_query_lists_everything_and_a_query_without_words_says_so(archive):
    assert search(archive, "").total == 5
    results = search(archive, "- * ()")
    assert results.total == 5
    assert "no words to look for" in results.notice


def test_another_campaigns_items_are_never_found(archive, team_a):
    other = Campaign.objects.create(team=team_a, name="Other", slug="other")
    store(other, remote("1", "riverside elsewhere"))
    assert ids(search(archive, "elsewhere")) == []
    assert ids(search(other, "riverside")) == ["1"]


def test_filters_narrow_the_results(archive):
    assert ids(search(archive, network="mastodon")) == ["3"]
    assert ids(search(archive, author="@omark")) == ["2", "5"]
    assert ids(search(archive, author="207")) == ["2", "5"]
    assert ids(search(archive, hashtag="#FREERIVERSIDE10")) == ["2", "1"]
    assert ids(search(archive, has_media=True)) == ["3"]
    assert len(ids(search(archive, has_media=False))) == 4
    assert ids(search(archive, language="AR")) == ["2"]
    assert ids(search(archive, "riverside", author="ana", network="x")) == ["4", "1"]


def test_a_date_range_includes_both_whole_days(archive):
    assert ids(search(archive, since=date(2026, 11, 21), until=date(2026, 11, 21))) == ["2"]
    assert ids(search(archive, since=date(2026, 11, 22))) == ["3"]
    assert set(ids(search(archive, until=date(2026, 11, 20)))) == {"1", "4", "5"}


def test_results_come_in_pages(campaign_a):
    store(campaign_a, *(remote(str(n), f"post number {n} about the ten") for n in range(30)))
    first = search(campaign_a, "ten", page=1)
    second = search(campaign_a, "ten", page=2)
    assert (first.total, len(first.items), len(second.items)) == (30, 25, 5)
    assert search(campaign_a, "ten", page="nonsense").page.number == 1


# --- the index stays right ----------------------------------------------------------------


def fts_rows() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM listening_item_fts WHERE listening_item_fts MATCH 'ten'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM listening_item "
                "WHERE to_tsvector('simple'::regconfig, text) @@ plainto_tsquery('simple', 'ten')"
            )
        return cursor.fetchone()[0]


def test_deleting_a_campaign_takes_its_items_out_of_the_index(archive):
    assert fts_rows() == 2
    archive.delete()
    assert fts_rows() == 0


def test_the_search_index_survives_every_migration():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'listening_item'"
            )
            names = {row[0] for row in cursor.fetchall()}
            assert names == {
                "listening_item_fts_insert",
                "listening_item_fts_delete",
                "listening_item_fts_update",
                "listening_item_trigram_insert",
                "listening_item_trigram_delete",
                "listening_item_trigram_update_old",
                "listening_item_trigram_update_new",
            }
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'listening_item'"
            )
            indexes = dict(cursor.fetchall())
            assert "(search_vector)" in indexes["listening_item_search_vector"]
            assert "gin_trgm_ops" in indexes["listening_item_text_trigram"]


@pytest.mark.backend("postgresql")
def test_postgresql_answers_a_word_search_from_the_gin_index(archive):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        queryset = text_filter(Item.objects.all(), parse_query('riverside -"vigil"'))
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "listening_item_search_vector" in plan, plan


# --- the command --------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("search", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_time_network_author_text_and_link(archive):
    out, _ = run("riverside", "--campaign", "free-the-ten", "--author", "ana")
    assert "2 items in free-the-ten match (page 1 of 1)." in out
    assert "2026-11-20 10:05  x         @ana" in out
    assert "The ten reporters of the Riverside Courier are still held" in out
    assert "https://x.com/i/web/status/4" in out


def test_the_command_takes_every_filter_and_writes_json(archive):
    out, _ = run(
        "",
        "--campaign",
        "free-the-ten",
        "--since",
        "2026-11-21",
        "--until",
        "2026-11-22",
        "--has-media",
        "--language",
        "es",
        "--json",
    )
    assert '"remote_id": "3"' in out
    assert "detención" in out


def test_the_command_refuses_a_bad_date_and_an_unknown_campaign(archive):
    with pytest.raises(CommandError, match="is not a date: write it as YYYY-MM-DD"):
        run("x", "--campaign", "free-the-ten", "--since", "21/11/2026")
    with pytest.raises(CommandError, match="No campaign is called 'nope'"):
        run("x", "--campaign", "nope")


def test_the_command_reads_broken_syntax_as_text(archive):
    out, _ = run('"NEAR( -', "--campaign", "free-the-ten")
    assert "0 items in free-the-ten match." in out

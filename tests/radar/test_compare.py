"""The radar on a small press and archive whose numbers were counted by hand.

The issue: "riot" or "#Vigil". The period: 1 and 2 May 2026 (UTC), [05-01 00:00, 05-03 00:00).

Press (team A's stories; time = published, or first seen when no date was given):

    S1  Daily Star  en  05-01 06:00  "Riot in the harbour district" / "Police contain riot…"   on the issue
    S2  Daily Star  en  05-01 20:00  "Looting after riot" / "Police arrest rioters"            on the issue
    S3  Le Monde    fr  05-02 09:00  "Riot : la police parle d'émeute au port"                 on the issue
    S4  Daily Star  en  05-02 10:00  "Sunny weekend ahead"                                     collected only
    S5  Daily Star  en  (none; first seen 05-02 12:00) "Football results"                      collected only
    S6  Daily Star  en  04-30 22:00  "Riot feared"                                             before the period
    --  team B's story about a riot on 05-01                                                   another team

  press: matched 3 of 5 collected; per day 05-01 2/2 = 1.0, 05-02 1/3.
  sources Daily Star 2 (2/3), Le Monde 1 (1/3); languages en 2 (2/3), fr 1 (1/3).
  first mention 05-01 06:00 by Daily Star.

Social (campaign A's archive):

    I1  mastodon @ana   04-30 23:00  "#vigil for Sami"                                  before the period
    I2  mastodon @ana   05-01 01:00  "Candle vigil tonight at the harbour #vigil"  en   on the issue
    I3  bluesky  @ben   05-01 03:00  "Peaceful vigil, candles for Sami #vigil"     en   on the issue
    I4  mastodon @cem   05-01 12:00  "Lunch by the sea"                            en   collected only
    I5  mastodon @ana   05-01 21:00  "They call our vigil a riot <S1's link, www., utm>" on the issue
    I6  bluesky  @dina  05-02 08:00  "وقفة سلمية بالشموع #vigil"                  ar   on the issue
    I7  bluesky  @ben   05-02 09:30  "Sign for Sami <petition link> #vigil"        en   on the issue
    I8  bluesky  @eve   05-02 10:00  "Good morning"                                en   collected only

  social: matched 5 of 7 collected; per day 05-01 3/4 = 0.75, 05-02 2/3.
  sources @ana (mastodon) 2 (0.4), @ben (bluesky) 2 (0.4), @dina (bluesky) 1 (0.2);
  languages en 4 (0.8), ar 1 (0.2). First mention 05-01 01:00 by @ana (mastodon).

Lead: social media, by 06:00 - 01:00 = 5 hours.
Crossing: S1's address (press 05-01 06:00, once) came back in I5 (05-01 21:00, once): 15 hours.
"riot" on the press side: S1 twice, S2 once, S3 once = 4, first 05-01 06:00; on the social
side once (I5, 21:00). "#vigil" first on the social side at 01:00, never in the press.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.imports import capture_live
from houseboat.radar.compare import (
    Record,
    compare,
    compare_records,
    comparison_tables,
    how_long,
    issue_phrases,
    link_key,
    on_issue,
    press_collected,
    press_records,
    social_collected,
    social_records,
)
from houseboat.radar.models import IssueQuery, PressSource, Story

START = datetime(2026, 5, 1, tzinfo=UTC)
END = datetime(2026, 5, 3, tzinfo=UTC)
S1_URL = "https://dailystar.example/riot-1"
PETITION = "https://social.example/petition"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5 if day > 0 else 4, day if day > 0 else 30, hour, minute, tzinfo=UTC)


STORIES = [
    # source, language, published, first seen, title, summary, url
    ("Daily Star", "en", at(1, 6), None, "Riot in the harbour district",
     "Police contain riot, looting reported", S1_URL),
    ("Daily Star", "en", at(1, 20), None, "Looting after riot", "Police arrest rioters",
     "https://dailystar.example/looting"),
    ("Le Monde", "fr", at(2, 9), None, "Riot : la police parle d'émeute au port", "",
     "https://lemonde.example/emeute"),
    ("Daily Star", "en", at(2, 10), None, "Sunny weekend ahead", "", "https://dailystar.example/sun"),
    ("Daily Star", "en", None, at(2, 12), "Football results", "", "https://dailystar.example/foot"),
    ("Daily Star", "en", at(0, 22), None, "Riot feared", "", "https://dailystar.example/feared"),
]  # fmt: skip

ITEMS = [
    # network, handle, time, text, language, links
    ("mastodon", "ana", at(0, 23), "#vigil for Sami", "en", []),
    ("mastodon", "ana", at(1, 1), "Candle vigil tonight at the harbour #vigil", "en", []),
    ("bluesky", "ben", at(1, 3), "Peaceful vigil, candles for Sami #vigil", "en", []),
    ("mastodon", "cem", at(1, 12), "Lunch by the sea", "en", []),
    ("mastodon", "ana", at(1, 21), "They call our vigil a riot", "en",
     ["https://www.dailystar.example/riot-1/?utm_source=x"]),
    ("bluesky", "dina", at(2, 8), "وقفة سلمية بالشموع #vigil", "ar", []),
    ("bluesky", "ben", at(2, 9, 30), "Sign for Sami #vigil", "en", [PETITION]),
    ("bluesky", "eve", at(2, 10), "Good morning", "en", []),
]  # fmt: skip


def fill_radar(campaign: Campaign, other_team=None) -> IssueQuery:
    """Store the stories and items above for the campaign's team; return the issue query."""
    sources = {
        name: PressSource.objects.create(
            team=campaign.team,
            name=name,
            feed_url=f"https://{name[:2]}.example/feed",
            language=lang,
        )
        for name, lang in (("Daily Star", "en"), ("Le Monde", "fr"))
    }
    for n, (source, language, published, seen, title, summary, url) in enumerate(STORIES):
        Story.objects.create(
            team=campaign.team,
            source=sources[source],
            url=url,
            url_key=url,
            title=title,
            summary=summary,
            language=language,
            published_at=published,
            first_seen_at=seen or published,
            guid=str(n),
        )
    if other_team is not None:
        theirs = PressSource.objects.create(
            team=other_team, name="Their Post", feed_url="https://their.example/feed"
        )
        Story.objects.create(
            team=other_team, source=theirs, url="https://their.example/r", url_key="their/r",
            title="Riot downtown", published_at=at(1, 2),
        )  # fmt: skip
    by_network: dict[str, list[RemoteItem]] = {}
    for n, (network, handle, when, text, language, links) in enumerate(ITEMS):
        by_network.setdefault(network, []).append(
            RemoteItem(
                network=network,
                remote_id=f"{network}-{n}",
                text=text + (" " + " ".join(links) if links else ""),
                created_at=when,
                author=RemoteAuthor(remote_id=handle, handle=handle),
                language=language,
                hashtags=["vigil"] if "#vigil" in text else [],
                links=links,
                raw={"id": n},
            )
        )
    for network, items in by_network.items():
        capture_live(campaign=campaign, items=items, network=network, source="fixture")
    return IssueQuery.objects.create(campaign=campaign, name="Sami", terms=["riot", "#Vigil"])


@pytest.fixture
def radar(campaign_a, team_b):
    return compare(fill_radar(campaign_a, team_b), START, END)


def test_volumes_and_shares_per_day_match_the_hand_count(radar):
    press, social = radar.press, radar.social
    assert (press.matched, press.collected) == (3, 5)
    assert (social.matched, social.collected) == (5, 7)
    assert [(d.date, d.matched, d.collected) for d in press.days] == [
        (date(2026, 5, 1), 2, 2),
        (date(2026, 5, 2), 1, 3),
    ]
    assert [d.share for d in press.days] == [pytest.approx(1.0), pytest.approx(1 / 3)]
    assert [(d.matched, d.collected) for d in social.days] == [(3, 4), (2, 3)]
    assert [d.share for d in social.days] == [pytest.approx(0.75), pytest.approx(2 / 3)]


def test_sources_and_languages_with_their_shares(radar):
    assert [(s.name, s.count, round(s.share, 4)) for s in radar.press.top_sources] == [
        ("Daily Star", 2, 0.6667),
        ("Le Monde", 1, 0.3333),
    ]
    assert [(s.name, s.count, s.share) for s in radar.social.top_sources] == [
        ("@ana (mastodon)", 2, 0.4),
        ("@ben (bluesky)", 2, 0.4),
        ("@dina (bluesky)", 1, 0.2),
    ]
    assert [(s.code, s.count) for s in radar.press.languages] == [("en", 2), ("fr", 1)]
    assert [(s.code, s.count, s.share) for s in radar.social.languages] == [
        ("en", 4, 0.8),
        ("ar", 1, 0.2),
    ]


def test_first_mentions_and_who_led_by_how_long(radar):
    assert (radar.press.first_mention, radar.press.first_mention_by) == (at(1, 6), "Daily Star")
    assert radar.social.first_mention == at(1, 1)
    assert radar.social.first_mention_by == "@ana (mastodon)"
    assert radar.lead.side == "social" and radar.lead.by == timedelta(hours=5)


def test_distinctive_terms_and_their_first_sightings(radar):
    riot = next(t for t in radar.press.distinctive if t.term == "riot")
    assert (riot.count, riot.first_seen) == (4, at(1, 6))
    assert riot.z > 0
    social_terms = {t.term: t for t in radar.social.distinctive}
    assert social_terms["#vigil"].count == 4 and social_terms["#vigil"].first_seen == at(1, 1)
    assert "riot" not in social_terms and "#vigil" not in {t.term for t in radar.press.distinctive}
    firsts = {(f.kind, f.value): f for f in radar.firsts}
    assert (firsts["term", "riot"].press_at, firsts["term", "riot"].social_at) == (
        at(1, 6),
        at(1, 21),
    )
    assert firsts["term", "riot"].lead.side == "press"
    assert firsts["term", "riot"].lead.by == timedelta(hours=15)
    vigil = firsts["hashtag", "#vigil"]
    assert (vigil.press_at, vigil.social_at, vigil.lead) == (None, at(1, 1), None)
    assert firsts["link", PETITION].social_at == at(2, 9, 30)


def test_the_press_link_shared_on_social_media_crosses(radar):
    [crossing] = radar.crossing_links
    assert crossing.url == S1_URL
    assert (crossing.first_side, crossing.first_at, crossing.other_at) == (
        "press",
        at(1, 6),
        at(1, 21),
    )
    assert (crossing.count_press, crossing.count_social) == (1, 1)


def test_the_sentences_say_who_led_and_how_much(radar):
    said = radar.sentences
    assert (
        "Social media named it 5 hours earlier: @ana (mastodon), 2026-05-01 01:00 UTC; the "
        "press followed with Daily Star, 2026-05-01 06:00 UTC." in said
    )
    assert "The press: 3 stories on the issue, 60.0% of the 5 stories its feeds brought in." in said
    assert "Social media: 5 posts on the issue, 71.4% of the 7 posts in the archive." in said
    assert "1 link crossed from one side to the other; 1 appeared in the press first." in said


def test_the_tables_carry_the_same_numbers(radar):
    tables = comparison_tables(radar)
    header, rows = tables["volume"]
    assert header[0] == "date"
    assert rows == [
        ["2026-05-01", 2, 2, 1.0, 3, 4, 0.75],
        ["2026-05-02", 1, 3, 0.333333, 2, 3, 0.666667],
    ]
    summary = {row[0]: row for row in tables["summary"][1]}
    assert summary["social"][1:3] == [5, 7] and summary["social"][-1] == 5.0
    assert summary["press"][-1] == ""
    assert tables["crossing_links"][1][0][:2] == [S1_URL, "press"]
    assert tables["crossing_links"][1][0][4] == 15.0


def test_a_period_with_only_social_posts_says_so(campaign_a):
    query = fill_radar(campaign_a)
    # 1 May 00:00-05:00: I2 and I3 only; no story yet.
    only = compare(query, START, START + timedelta(hours=5))
    assert only.press.matched == 0 and only.social.matched == 2
    assert only.lead is None and only.crossing_links == []
    assert only.press.distinctive == [] and only.social.distinctive == []
    assert only.sentences[0] == (
        "Only social media named it: first @ana (mastodon), 2026-05-01 01:00 UTC. The press "
        "has not, in this period."
    )
    assert any("The press feeds brought in no story in this period" in s for s in only.sentences)


def test_a_period_with_nothing_says_nothing_matched(campaign_a):
    query = fill_radar(campaign_a)
    empty = compare(query, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC))
    assert (empty.press.matched, empty.social.matched, empty.social.collected) == (0, 0, 0)
    assert empty.sentences[0].startswith("Nothing on this issue between 2026-06-01 00:00 UTC")
    assert "riot, #Vigil" in empty.sentences[0]
    assert [d.share for d in empty.press.days] == [0.0]


def records(side_words: str, count: int, hour: int, source: str) -> list[Record]:
    return [
        Record(at=at(1, hour, n), source=source, language="en", text=side_words)
        for n in range(count)
    ]


def test_the_headline_quotes_the_words_that_set_each_side_apart():
    # press: 10 x "riot police" ; social: 10 x "vigil candles". For "riot": y_a = 10, y_b = 0,
    # n_a = n_b = 20, alpha0 = 40, alpha = 10: delta = log(20/(20+40-10-10)) - log(10/(20+40-10))
    # = log(0.5) - log(0.2) = 0.9163; var = 1/20 + 1/10 = 0.15; z = 0.9163/0.3873 = 2.366 >= 1.96.
    result = compare_records(
        None, START, END,
        press=records("riot police", 10, 2, "Daily Star"),
        social=records("vigil candles", 10, 1, "@ana"),
        press_collected={date(2026, 5, 1): 10}, social_collected={date(2026, 5, 1): 20},
    )  # fmt: skip
    assert result.press.distinctive[0].z == pytest.approx(2.366, abs=1e-3)
    assert result.sentences[0] == "The press says police, riot; people say candles, vigil."
    assert result.sentences[1].startswith("Social media named it 1 hour earlier")


def test_same_words_on_both_sides_stand_out_nowhere():
    result = compare_records(
        None, START, END,
        press=records("riot police", 3, 2, "Daily Star"),
        social=records("riot police", 3, 1, "@ana"),
        press_collected={}, social_collected={},
    )  # fmt: skip
    assert result.sentences[0].startswith("No word sets one side apart with confidence")


def test_durations_read_like_a_person_says_them():
    assert how_long(timedelta(seconds=20)) == "1 minute"
    assert how_long(timedelta(minutes=35)) == "35 minutes"
    assert how_long(timedelta(hours=9, minutes=10)) == "9 hours"
    assert how_long(timedelta(days=3, hours=2)) == "3 days"


def test_link_spellings_of_one_page_are_one_link():
    assert link_key("https://www.Example.org/a/?utm_source=x&id=2#top") == link_key(
        "http://example.org/a?id=2"
    )
    assert link_key("https://example.org/a?id=2") != link_key("https://example.org/a?id=3")


def test_keywords_match_whole_words_without_case_or_accents():
    phrases = issue_phrases(["Émeute", "#Vigil", "riot"])
    assert phrases == ["emeute", "vigil", "riot"]
    assert on_issue("Une EMEUTE au port", [], phrases)
    assert on_issue("candles", ["Vigil"], phrases)
    assert not on_issue("a patriotic song", [], phrases)  # "riot" inside a word


def test_past_the_cap_words_come_from_a_sample_but_first_sightings_stay_exact(monkeypatch):
    monkeypatch.setattr("houseboat.radar.compare.MAX_TERM_DOCS", 4)
    # Ten posts, one a minute from 01:00. An evenly spaced sample of 4 is posts 0, 2, 5 and 7
    # (every 2.5th). "lanterns" is only in post 3, so it is never counted; "torches" is in
    # posts 1 and 5: counted once (post 5) but first seen at 01:01 (post 1), not 01:05.
    texts = {1: "vigil candles torches", 3: "vigil lanterns", 5: "vigil candles torches"}
    social = [
        Record(at=at(1, 1, n), source="@ana", language="en", text=texts.get(n, "vigil candles"))
        for n in range(10)
    ]
    press = [Record(at=at(1, 9), source="Daily Star", language="en", text="riot police")]
    result = compare_records(
        None, START, END, press=press, social=social, press_collected={}, social_collected={}
    )
    assert result.social.words_from == 4 and result.press.words_from == 1
    counted = {t.term: t for t in result.social.distinctive}
    assert "lanterns" not in counted and counted["vigil"].count == 4
    assert counted["torches"].count == 1
    assert counted["torches"].first_seen == at(1, 1, 1)
    assert "Words of social media were counted in 4 of its 10 posts" in result.sentences[-1]


@pytest.mark.parametrize(("cap", "head"), [(50_000, 5_000), (2, 5_000), (2, 1)])
def test_the_database_adds_up_the_archive_as_python_adds_up_its_records(
    campaign_a, team_b, monkeypatch, cap, head
):
    # compare() counts the archive's side with SQL aggregates and reads only the sampled
    # texts; compare_records() counts the same posts one by one. With a cap of 2, words
    # come from posts 0, 2 of I2, I3, I5, I6, I7 (I2, I5) and first sightings are looked up:
    # in the first posts read with the sample (head), then up to where the sample saw a
    # word, then through the word index for words the sample never saw ("riot").
    monkeypatch.setattr("houseboat.radar.compare.MAX_TERM_DOCS", cap)
    monkeypatch.setattr("houseboat.radar.compare.HEAD_DOCS", head)
    query = fill_radar(campaign_a, team_b)
    by_sql = compare(query, START, END)
    team, terms = campaign_a.team, query.terms
    by_python = compare_records(
        query, START, END,
        press=press_records(team, START, END, terms),
        social=social_records(campaign_a, START, END, terms),
        press_collected=press_collected(team, START, END),
        social_collected=social_collected(campaign_a, START, END),
    )  # fmt: skip
    assert by_sql.social == by_python.social
    assert by_sql.press == by_python.press
    assert by_sql.firsts == by_python.firsts
    assert by_sql.crossing_links == by_python.crossing_links
    assert by_sql.sentences == by_python.sentences
    assert by_sql.social.words_from == min(cap, 5)

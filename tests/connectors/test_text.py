"""Length counted as each network counts it, and clear messages when a post is too long."""

from pathlib import Path

import pytest

from houseboat.connectors import text
from houseboat.connectors.base import MediaFile

WAVE = "👋🏽"  # a waving hand with a skin-tone modifier: 2 code points, 4 UTF-16 units
FAMILY = "👨‍👩‍👧"  # a ZWJ sequence: 5 code points, one grapheme
DEVANAGARI = "क्षि"  # 4 code points, one grapheme cluster
ARABIC = "حرية"  # 4 letters
CAFE = "cafe\u0301"  # e + combining acute: 5 code points, 4 graphemes


@pytest.mark.parametrize(
    ("sample", "graphemes", "utf16"),
    [(WAVE, 1, 4), (FAMILY, 1, 8), (DEVANAGARI, 1, 4), (ARABIC, 4, 4), (CAFE, 4, 5)],
)
def test_graphemes_and_utf16_units_count_what_people_and_telegram_see(sample, graphemes, utf16):
    assert text.graphemes(sample) == graphemes
    assert text.utf16_units(sample) == utf16


def test_x_counts_latin_as_one_cjk_as_two_emoji_as_two_and_urls_as_23():
    assert text.x_weighted("hello") == 5
    assert text.x_weighted("日本語") == 6
    assert text.x_weighted(WAVE) == 2
    assert text.x_weighted(FAMILY) == 2
    assert text.x_weighted(WAVE * 3) == 6  # neighbours are not one sequence
    assert text.x_weighted("🇫🇷🇩🇪") == 4
    assert text.x_weighted(CAFE) == 4  # NFC: e + combining acute is é
    assert text.x_weighted(ARABIC) == 4
    assert text.x_weighted("see https://example.org/a/very/long/path?q=1 now") == 4 + 23 + 4
    assert text.x_weighted("example.org") == 23


CHINESE = "中"


def test_x_counts_chinese_joined_by_one_dot_as_315_and_refuses_it():
    # The hand-written count took this for a web address (23); X counts it 315 and refuses it.
    sample = CHINESE * 78 + "." + CHINESE * 79
    assert text.x_weighted(sample) == 315
    limits = {"text": {"max": 280, "counted": "weighted"}, "media": None}
    problems = text.check(limits, sample, label="X")
    assert problems and "315 weighted characters, the limit is 280" in problems[0].message


def test_x_counts_file_names_as_their_letters_so_a_valid_280_is_not_refused():
    # report.docx and budget.xlsx are file names, not links: .docx is no top-level domain.
    words = "See report.docx and budget.xlsx before the hearing. "
    sample = (words * 10)[:280]
    assert text.x_weighted(sample) == 280
    limits = {"text": {"max": 280, "counted": "weighted"}, "media": None}
    assert text.check(limits, sample, label="X") == []


# Cases shaped like twitter-text's conformance (validate.yml, v3 configuration with
# discounted emoji), one per rule it checks: weights, URLs, emoji, normalisation.
GENERAL_PUNCTUATION = (
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    + " ".join(chr(c) for c in [*range(0x2010, 0x2020), *range(0x2032, 0x2038)])
)
X_CONFORMANCE = [
    ("plain latin", "This is a test.", 15),
    ("a URL with http", "http://test.com", 23),
    ("a URL with https", "https://test.com", 23),
    ("a URL without a scheme", "test.com", 23),
    ("several URLs", "Test https://test.com test https://test.com test.com test", 86),
    ("ten long URLs", "https://www.example.com/aloha " * 10, 240),
    ("CJK weighs two", "故人西辞黄鹤楼\uff0c烟花三月下扬州\u3002", 32),
    ("three latin and CJK", "the故人西辞黄鹤楼", 3 + 14),
    ("precomposed accent", "A\u0301B", 2),
    ("Hebrew presentation form normalises to three", "A\ufb2c", 4),
    ("emoji in the BMP and beyond", "😷👾😡🔥💩", 10),
    ("skin tone and ZWJ sequences count as one emoji", "🙋🏽👨\u200d🎤", 4),
    ("a family is one emoji", "H🐱☺👨\u200d👩\u200d👧\u200d👦", 7),
    ("general punctuation weighs one", GENERAL_PUNCTUATION, len(GENERAL_PUNCTUATION)),
    ("directional marks are outside the light ranges", "\u200e\u200f", 4),
    ("characters beyond the BMP", "\U00010000\U0010ffff", 4),
    ("Hangul weighs two", "저찀쯿쿿", 8),
    # The official JavaScript library (twemoji-parser) takes © and ® for emoji only with
    # U+FE0F after them; twitter-text-parser counts them as emoji (2) on their own.
    ("copyright and registered signs weigh one", "© 2026 Harbour Watch®", 21),
    ("with the emoji selector they weigh two", "\u00a9\ufe0f\u00ae\ufe0f", 4),
    ("a link ends before them", "https://example.org/a\u00a9b", 23 + 1 + 1),
    # The official library encodes a domain with punycode alone; Python's IDNA 2003 codec
    # refused Arabic or Hebrew run into an ASCII name, and the link went uncounted.
    ("a link run into Arabic", "\u062d\u0631\u064a\u0629example.org", 4 + 23),
    ("a link run into Hebrew", "\u05e9\u05dc\u05d5\u05ddexample.org", 4 + 23),
]


@pytest.mark.parametrize(("description", "sample", "expected"), X_CONFORMANCE)
def test_x_weighted_length_follows_twitter_text_v3(description, sample, expected):
    assert text.x_weighted(sample) == expected, description


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_their_local_part():
    sample = "hi @alice@mastodon.social https://example.org/" + "x" * 100
    assert text.mastodon_length(sample) == len("hi @alice ") + 23
    assert text.mastodon_length(WAVE + DEVANAGARI) == 2  # Mastodon counts graphemes


# Mastodon's StatusLengthValidator: twitter-text's URLs (with a scheme) as 23, mentions
# (Account::MENTION_RE) by their local part, overlapping entities dropped, and a mention
# that runs on into "://" or "@" is no mention at all.
MASTODON_CASES = [
    ("a mention running into a link is neither", "@alice@example.orghttps://example.com/abc", 41),
    ("a mention before a link", "@alice@example.org https://example.com/" + "a" * 50, 7 + 23),
    ("a link that holds a mention is one link", "https://example.com/@bob@example.org/1", 23),
    ("a link without a scheme is plain text", "example.com/" + "a" * 30, 42),
    ("a mention after a word is plain text", "mail@bob@example.org", 20),
    ("a local mention", "@alice hi", 9),
    ("a link after a letter is plain text", "seehttps://example.com/abc", 26),
    ("graphemes, not code points", WAVE + DEVANAGARI + FAMILY, 3),
]


@pytest.mark.parametrize(("description", "sample", "expected"), MASTODON_CASES)
def test_mastodon_counts_as_the_server_does(description, sample, expected):
    assert text.mastodon_length(sample) == expected, description


def test_the_composer_and_the_mastodon_connector_count_with_one_counter():
    from houseboat.connectors.mastodon import connector as mastodon

    sample = "@alice@example.orghttps://example.com/abc"
    limits = {"text": {"max": 500, "counted": "mastodon", "url_length": 23}}
    assert text.length(sample, "mastodon", 23) == 41
    assert mastodon.mastodon_length is text.mastodon_length
    assert text.mastodon_length(sample, spoiler="CW " + WAVE) == 41 + 4
    assert text.check(limits, sample, label="Mastodon") == []


def test_a_post_over_the_limit_says_by_how_much_and_what_to_do():
    limits = {"text": {"max": 300, "counted": "graphemes"}, "media": None}
    problems = text.check(limits, WAVE * 301, label="Bluesky")
    assert [p.field for p in problems] == ["text"]
    assert "301 characters, the limit is 300" in problems[0].message
    assert "split it into a thread" in problems[0].message
    assert text.check(limits, WAVE * 300, label="Bluesky") == []


def test_media_over_count_size_or_type_are_each_named(tmp_path: Path):
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * 2_000_000)
    gif = tmp_path / "a.gif"
    gif.write_bytes(b"GIF89a")
    limits = {
        "text": {"max": 500, "counted": "characters"},
        "media": {"max_count": 1, "max_bytes": 1_000_000, "types": ["image/jpeg"], "alt_max": 5},
    }
    media = [MediaFile(big, "image/jpeg", alt="too long alt"), MediaFile(gif, "image/gif")]
    messages = [p.message for p in text.check(limits, "hi", media, label="Net")]
    assert any("at most 1 files" in m for m in messages)
    assert any("2.0 MB" in m and "big.jpg" in m for m in messages)
    assert any("image/gif" in m for m in messages)
    assert any("description of big.jpg" in m for m in messages)


def test_a_long_caption_is_a_warning_because_the_text_follows_as_a_reply(tmp_path: Path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8")
    limits = {
        "text": {"max": 4096, "counted": "utf16"},
        "media": {
            "max_count": 10,
            "max_bytes": 10**7,
            "types": ["image/jpeg"],
            "caption_max": 1024,
        },
    }
    assert text.check(limits, "a" * 2000, label="Telegram") == []
    problems = text.check(limits, "a" * 2000, [MediaFile(photo, "image/jpeg")], label="Telegram")
    assert [p.blocking for p in problems] == [False]
    assert "at most 1024 characters under pictures" in problems[0].message
    problems = text.check(limits, "a" * 5000, [MediaFile(photo, "image/jpeg")], label="Telegram")
    assert [p.blocking for p in problems] == [True]


def test_an_empty_post_is_refused():
    limits = {"text": {"max": 500, "counted": "characters"}, "media": None}
    assert "needs some text" in text.check(limits, "  ", label="Mastodon")[0].message


@pytest.mark.parametrize(
    ("sample", "tag", "start"),
    [
        # JavaScript's \s (the official client's) holds no \x1c-\x1f; Python's str does.
        ("#tag\x1cmore", "tag\x1cmore", 0),
        ("#vigil\x1f", "vigil\x1f", 0),
        ("say #free\x1dall now", "free\x1dall", 4),
        ("#\x1etag", "\x1etag", 0),
    ],
)
def test_bluesky_tags_run_through_control_characters_as_the_official_client_does(
    sample, tag, start
):
    from houseboat.connectors.bluesky.facets import build_facets, detect_spans

    spans = [span for span in detect_spans(sample) if span.kind == "tag"]
    assert [(span.value, span.start) for span in spans] == [(tag, start)]
    (facet,) = build_facets(sample, spans, {})
    data = sample.encode("utf-8")
    index = facet["index"]
    assert data[index["byteStart"] : index["byteEnd"]].decode() == "#" + tag


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x1f"])
def test_a_control_character_before_a_hash_starts_no_bluesky_tag(separator):
    from houseboat.connectors.bluesky.facets import detect_spans

    assert [s for s in detect_spans(f"a{separator}#tag") if s.kind == "tag"] == []

"""Property tests: every counter and facet builder over arbitrary Unicode.

Texts mix anything hypothesis draws with the pieces that break counters: emoji ZWJ
sequences and skin tones, flags, keycaps, combining marks, right-to-left text and marks,
full-width number and at signs (U+FF03, U+FF20), control characters, links and mentions run together.
"""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from houseboat.connectors import text
from houseboat.connectors.bluesky.facets import (
    MAX_TAG_UTF16,
    build_facets,
    detect_spans,
    facet_entities,
)

PIECES = [
    " ",
    "\n",
    "#",
    "\uff03",  # full-width number sign
    "\uff20",  # full-width commercial at
    "@",
    ".",
    "://",
    "/",
    "(",
    ")",
    "!",
    "\u200d",  # zero-width joiner
    "\ufe0f",  # emoji variation selector
    "\u20e3",  # combining enclosing keycap
    "\u0301",  # combining acute
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\x1c",
    "\x1f",
    "\x85",
    "\ufeff",
    "👋🏽",
    "👨\u200d👩\u200d👧",
    "🇵🇸",
    "🇫",
    "1\ufe0f\u20e3",
    "क्षि",
    "حقوق_الإنسان",
    "שָׁלוֹם",
    "中文",
    "ﬁ",  # a compatibility ligature
    "tag",
    "2024",
    "report.docx",
    "example.org",
    "https://example.org/a?b=c",
    "http://t.co/x",
    "alice.bsky.social",
    "@alice@example.org",
]
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=30).map("".join),
)
COUNTERS = ["characters", "mastodon", "graphemes", "utf16", "weighted"]


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(COUNTERS))
def test_every_count_is_a_whole_number_and_nothing_counts_zero(sample, counted):
    used = text.length(sample, counted, 23)
    assert isinstance(used, int) and used >= 0
    assert (used == 0) == (sample == "") or counted == "weighted"


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_utf16_units_add_up_exactly_and_graphemes_at_most_merge_at_the_seam(a, b):
    assert text.utf16_units(a + b) == text.utf16_units(a) + text.utf16_units(b)
    assert text.utf16_units(a) >= len(a)
    joined, apart = text.graphemes(a + b), text.graphemes(a) + text.graphemes(b)
    assert apart - 1 <= joined <= apart
    assert text.graphemes(a) <= len(a)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_x_weights_each_character_one_or_two_and_joining_never_adds(a, b):
    # Without a "." there is no link (twitter-text needs a domain), so only weights count.
    a, b = a.replace(".", ""), b.replace(".", "")
    assert text.x_weighted(a) <= 2 * len(a)
    assert text.x_weighted(a + b) <= text.x_weighted(a) + text.x_weighted(b)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_x_counts_a_link_as_23_wherever_it_stands(sample):
    link = " https://example.org/" + "a" * 40 + " "
    assert text.x_weighted(sample + link) <= text.x_weighted(sample) + 25


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_mastodon_shortens_only_links_and_mentions_and_counts_the_warning_whole(body, warning):
    used = text.mastodon_length(body)
    links = body.count("://")
    assert used <= text.graphemes(body) + 23 * links
    if "@" not in body and links == 0:
        assert used == text.graphemes(body)
    with_warning = text.mastodon_length(body, spoiler=warning)
    assert used + text.graphemes(warning) - 1 <= with_warning <= used + text.graphemes(warning)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("say #\x1ffree now")  # Python's strip() once cut \x1f and shifted the end
@example("#\uff03\u0301 \uff03\u05e9\u05c1 #👨\u200d👩\u200d👧")
def test_spans_lie_inside_the_text_and_name_what_they_cover(sample):
    for span in detect_spans(sample):
        assert 0 <= span.start < span.end <= len(sample)
        covered = sample[span.start : span.end]
        if span.kind == "tag":
            assert covered[0] in "#\uff03" and covered[1:] == span.value
            assert 0 < text.utf16_units(span.value) <= MAX_TAG_UTF16
        elif span.kind == "link":
            assert covered == span.value
        else:
            assert covered.lower() == "@" + span.value


@settings(max_examples=300, deadline=None)
@given(texts)
@example("#\x1etag")
@example(
    "\u062d\u0631\u064a\u0629 #\u062d\u0631\u064a\u0629 \u200f@alice.bsky.social https://example.org/"
)
def test_facets_point_at_utf8_boundaries_inside_the_text_and_read_back(sample):
    spans = detect_spans(sample)
    dids = {s.value: f"did:plc:{n}" for n, s in enumerate(spans) if s.kind == "mention"}
    facets = build_facets(sample, spans, dids)
    data = sample.encode("utf-8")
    last_end = 0
    for facet in facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        assert last_end <= start < end <= len(data)
        last_end = end
        covered = data[start:end].decode("utf-8")  # strict: a split character raises
        data[:start].decode("utf-8")
        (feature,) = facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#tag":
            assert covered[0] in "#\uff03" and covered[1:] == feature["tag"]
        elif feature["$type"] == "app.bsky.richtext.facet#link":
            assert covered == feature["uri"]
    tags = [f["features"][0]["tag"] for f in facets if "tag" in f["features"][0]]
    assert facet_entities(sample, facets)[0] == tags


RULES = [
    {"max": 280, "counted": "weighted", "url_length": 23},
    {"max": 500, "counted": "mastodon", "url_length": 23},
    {"max": 300, "counted": "graphemes"},
    {"max": 4096, "counted": "utf16"},
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=400).map(" ".join),
    st.sampled_from(RULES),
)
def test_every_part_of_a_split_thread_fits_the_network_it_is_split_for(sample, rule):
    from houseboat.publishing.threads import split_thread

    if not sample.strip():
        return
    for part in split_thread(sample, rule):
        assert text.length(part, rule["counted"], rule.get("url_length")) <= rule["max"]

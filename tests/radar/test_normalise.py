"""Story addresses and headlines as the radar compares them."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from houseboat.radar.normalise import is_tracking, title_key, url_key

TRACKERS = ["utm_source", "utm_medium", "UTM_Campaign", "utm_content", "fbclid", "gclid"]

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
hosts = st.from_regex(r"(www\.)?[a-zA-Z][a-zA-Z0-9-]{0,10}\.(org|COM|example)", fullmatch=True)
paths = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=8),
    max_size=4,
)


@st.composite
def urls(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTPS"]))
    host = draw(hosts)
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/" + "/".join(draw(paths)) + draw(st.sampled_from(["", "/"]))
    params = draw(st.lists(st.tuples(names | st.sampled_from(TRACKERS), values), max_size=5))
    query = "&".join(f"{name}={value}" for name, value in params)
    fragment = draw(st.sampled_from(["", "#top", "#comments"]))
    return f"{scheme}://{host}{port}{path}{'?' + query if query else ''}{fragment}"


@settings(max_examples=400)
@given(urls())
def test_normalising_an_address_twice_changes_nothing(url):
    once = url_key(url)
    assert url_key(once) == once


@settings(max_examples=400)
@given(urls())
def test_tracking_parameters_and_fragments_never_survive(url):
    key = url_key(url)
    parts = urlsplit(key)
    assert not any(is_tracking(name) for name, _ in parse_qsl(parts.query, keep_blank_values=True))
    assert parts.fragment == ""
    assert parts.scheme == "https"
    assert parts.hostname == parts.hostname.lower()
    assert not parts.path.endswith("/")


@settings(max_examples=200)
@given(st.text())
def test_normalising_any_text_twice_changes_nothing(text):
    assert url_key(url_key(text)) == url_key(text)


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.gazette.example.org/news/riot/?b=2&a=1",
        "HTTPS://Gazette.Example.org:443/news/riot?a=1&b=2&utm_source=rss&utm_medium=feed",
        "https://gazette.example.org/news/riot?fbclid=IwAR0&a=1&gclid=x&b=2#comments",
    ],
)
def test_the_variants_of_one_address_share_its_key(variant):
    assert url_key(variant) == "https://gazette.example.org/news/riot?a=1&b=2"


def test_a_meaningful_query_and_port_are_kept():
    assert url_key("https://x.org/story?id=7") != url_key("https://x.org/story?id=8")
    assert url_key("https://x.org:8443/a") == "https://x.org:8443/a"


@settings(max_examples=300)
@given(st.text())
def test_folding_a_headline_twice_changes_nothing(title):
    assert title_key(title_key(title)) == title_key(title)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Police disperse RIOT!", "police disperse riot"),
        ("Police  \u2018disperse\u2019\n riot \u2026", "Police disperse riot"),
        (
            "\uff30\uff2f\uff2c\uff29\uff23\uff25 disperse riot",
            "police disperse riot",
        ),  # full-width letters (NFKC)
        ("Straße gesperrt", "STRASSE GESPERRT"),  # case folding, not lowering
        ("الشرطة تفرق  الشغب!", "الشرطة تفرق الشغب"),
    ],
)
def test_headlines_that_differ_only_in_case_width_punctuation_or_spaces_fold_alike(first, second):
    assert title_key(first) == title_key(second)


def test_different_words_stay_different():
    assert title_key("Police disperse riot") != title_key("Police disperse vigil")

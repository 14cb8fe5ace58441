"""The shared text helpers: one ISO time parser, one web-address pattern, one HTML-to-text."""

import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from houseboat.core.text import URL_RE, html_to_text, parse_iso_time

SOURCE = Path(__file__).resolve().parents[2] / "houseboat"

aware_times = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=3))]
    ),
)


@given(aware_times)
def test_any_iso_time_is_read_back_as_the_same_moment(when):
    assert parse_iso_time(when.isoformat()) == when


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_a_time_with_a_z_or_no_offset_is_read_as_utc(when):
    written = when.isoformat()
    assert parse_iso_time(written + "Z") == when.replace(tzinfo=UTC)
    assert parse_iso_time(written) == when.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2024-03-01T12:00:00.000Z", datetime(2024, 3, 1, 12, tzinfo=UTC)),  # atproto, X
        ("2026-11-02T09:30:00+0000", datetime(2026, 11, 2, 9, 30, tzinfo=UTC)),  # Graph API
        ("2022-10-05T12:00:00+02:00", datetime(2022, 10, 5, 10, tzinfo=UTC)),
    ],
)
def test_the_networks_time_formats_are_read(value, moment):
    assert parse_iso_time(value) == moment


@given(st.one_of(st.none(), st.integers(), st.just(""), st.lists(st.text())))
def test_what_is_not_a_string_is_no_time(value):
    assert parse_iso_time(value) is None
    assert parse_iso_time(value, strict=True) is None


@given(st.text().filter(lambda s: s.strip() and not s.strip()[:1].isdigit()))
def test_words_are_no_time_and_strict_readers_hear_why(value):
    assert parse_iso_time(value) is None
    with pytest.raises(ValueError):
        parse_iso_time(value, strict=True)


@given(st.text())
def test_the_time_parser_never_raises_unless_asked(value):
    result = parse_iso_time(value)
    assert result is None or result.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see https://example.org/a?b=1 now", ["https://example.org/a?b=1"]),
        ('<a href="http://x.example/p">', ["http://x.example/p"]),
        ("HTTPS://EXAMPLE.ORG/X and ftp://no.example", ["HTTPS://EXAMPLE.ORG/X"]),
        ("javascript:alert(1) data:text/html,x", []),
    ],
)
def test_web_addresses_are_found_with_their_scheme(text, found):
    assert URL_RE.findall(text) == found


@given(st.text())
def test_every_address_found_starts_with_a_web_scheme_and_holds_no_space(text):
    for url in URL_RE.findall(text):
        assert url.lower().startswith(("http://", "https://"))
        assert not any(c.isspace() or c in '<>"' for c in url)


@pytest.mark.parametrize(
    ("html", "plain", "links"),
    [
        ("<p>a</p>\n<p>b<br/>c</p>", "a\n\nb\nc", []),
        ("<p>x</p><script>alert(1)</script><style>p{}</style><p>y</p>", "x\n\ny", []),
        (
            '<p><a href="javascript:alert(1)">one</a> <a href="data:text/html,x">two</a> '
            '<a href="https://example.org/r">three</a></p>',
            "one two three",
            ["https://example.org/r"],
        ),
        (
            '<p><span class="h-card"><a class="u-url mention" href="https://m.example/@a">@a</a>'
            '</span> <a rel="tag" href="https://m.example/tags/x">#x</a></p>',
            "@a #x",
            [],
        ),
    ],
)
def test_html_becomes_plain_text_with_only_its_outside_web_links(html, plain, links):
    assert html_to_text(html) == (plain, links)


def test_compact_text_squeezes_indented_html_into_lines():
    html = "<div>\n  <h2>Title   here</h2>\n\n  <p>First\n   line</p></div>"
    assert html_to_text(html, compact=True) == ("Title here\nFirst\nline", [])


@given(st.text())
def test_html_to_text_takes_any_text_without_raising(html):
    text, links = html_to_text(html)
    assert text == text.strip()
    assert all(link.lower().startswith(("http://", "https://")) for link in links)


def _sources():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, path.read_text(encoding="utf-8")


def test_no_app_writes_its_own_html_to_text_parser():
    """One HTML-to-text for everyone: core.text's; an HTMLParser elsewhere must not collect text."""
    offenders = []
    for path, source in _sources():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", getattr(base, "attr", "")) == "HTMLParser"
                for base in node.bases
            ):
                methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
                if "handle_data" in methods and path != SOURCE / "core" / "text.py":
                    offenders.append(f"{path.relative_to(SOURCE)}:{node.name}")
    assert offenders == []


def test_no_app_compiles_its_own_pattern_for_a_web_address_with_its_scheme():
    """Patterns where the scheme is optional (X's counting, the risk review's mask) differ."""
    offenders = [
        str(path.relative_to(SOURCE))
        for path, source in _sources()
        if any(f"https?://{rest}" in source for rest in ("[", "\\S"))
        and path != SOURCE / "core" / "text.py"
    ]
    assert offenders == []

"""Property tests for the item mappers: any text, any optional field missing, ids kept.

Each mapper turns one network's post (as its API reference shapes it) into a
RemoteItem. Whatever the text holds (any Unicode, RTL marks, emoji, lone surrogates
excluded since JSON cannot carry them) and whichever optional field is left out or
null, a mapper must not crash, must keep the post's id, and must keep the words.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from houseboat.connectors.base import PayloadRejected
from houseboat.connectors.bluesky.connector import BlueskyConnector
from houseboat.connectors.bluesky.reading import ReadState
from houseboat.connectors.facebook.connector import FacebookConnector
from houseboat.connectors.http import budget_from_headers
from houseboat.connectors.mastodon.connector import MastodonConnector
from houseboat.connectors.telegram.messages import read_item
from houseboat.connectors.x.connector import XConnector, _read_state

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)
WORD = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
MAYBE_WORD = st.one_of(st.none(), WORD)
DIGITS = st.integers(min_value=1, max_value=2**62).map(str)
TIME = st.one_of(st.none(), st.just("2026-11-24T09:15:00.000Z"), WORD)
PROPERTY_SETTINGS = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])

mastodon = MastodonConnector(config={"base_url": "https://mastodon.social"}, secrets={})
bluesky = BlueskyConnector(config={"handle": "campaign.bsky.social"}, secrets={})
x = XConnector(config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"}, secrets={})
facebook = FacebookConnector(config={"page_id": "1234567890"}, secrets={})


mastodon_account = st.fixed_dictionaries(
    {"id": DIGITS},
    optional={"acct": MAYBE_WORD, "url": MAYBE_WORD, "display_name": MAYBE_WORD},
)
mastodon_status = st.fixed_dictionaries(
    {"id": DIGITS, "content": TEXT},
    optional={
        "created_at": TIME,
        "account": st.one_of(st.none(), mastodon_account),
        "url": MAYBE_WORD,
        "uri": MAYBE_WORD,
        "language": st.one_of(st.none(), st.sampled_from(["en", "ar", "hi", "zh-TW"])),
        "spoiler_text": st.one_of(st.none(), TEXT),
        "in_reply_to_id": st.one_of(st.none(), DIGITS),
        "tags": st.one_of(st.none(), st.lists(st.fixed_dictionaries({"name": MAYBE_WORD}))),
        "mentions": st.one_of(
            st.none(),
            st.lists(st.fixed_dictionaries({"acct": MAYBE_WORD}, optional={"url": MAYBE_WORD})),
        ),
        "media_attachments": st.one_of(
            st.none(),
            st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "type": st.sampled_from(["image", "video", "gifv", "audio", "unknown"]),
                        "url": MAYBE_WORD,
                        "description": st.one_of(st.none(), TEXT),
                    },
                )
            ),
        ),
        "card": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"url": MAYBE_WORD})),
        "replies_count": st.one_of(st.none(), st.integers(0, 10**9)),
        "quote": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"quoted_status_id": MAYBE_WORD})
        ),
    },
)


@PROPERTY_SETTINGS
@given(status=mastodon_status, boosted=st.one_of(st.none(), mastodon_status))
def test_any_mastodon_status_maps_without_crashing_and_keeps_its_id(status, boosted):
    if boosted is not None:
        status = {**status, "reblog": boosted}
    item = mastodon.to_item(status)
    assert item.remote_id == status["id"]
    assert item.repost_of_id == (boosted["id"] if boosted else "")
    for media in item.media:
        assert media.kind in ("image", "video", "audio", "file")


@PROPERTY_SETTINGS
@given(words=WORD.filter(lambda w: w.strip() and "<" not in w and "&" not in w))
def test_mastodon_keeps_the_words_of_a_paragraph(words):
    item = mastodon.to_item({"id": "1", "content": f"<p>{html.escape(words)}</p>"})
    assert " ".join(item.text.split()) == " ".join(words.split())


DID = st.from_regex(r"did:plc:[a-z2-7]{24}", fullmatch=True)
RKEY = st.from_regex(r"3[a-z2-7]{12}", fullmatch=True)
facet = st.fixed_dictionaries(
    {
        "index": st.fixed_dictionaries(
            {"byteStart": st.integers(-5, 2000), "byteEnd": st.integers(-5, 2000)}
        ),
        "features": st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"$type": st.just("app.bsky.richtext.facet#tag"), "tag": MAYBE_WORD}
                ),
                st.fixed_dictionaries(
                    {"$type": st.just("app.bsky.richtext.facet#link"), "uri": MAYBE_WORD}
                ),
                st.fixed_dictionaries(
                    {"$type": st.just("app.bsky.richtext.facet#mention"), "did": MAYBE_WORD}
                ),
            ),
            max_size=3,
        ),
    }
)


@st.composite
def bluesky_post(draw):
    did, rkey = draw(DID), draw(RKEY)
    record = draw(
        st.fixed_dictionaries(
            {"text": TEXT},
            optional={
                "createdAt": TIME,
                "langs": st.one_of(st.none(), st.lists(WORD, max_size=3)),
                "facets": st.one_of(st.none(), st.lists(facet, max_size=4)),
                "tags": st.one_of(st.none(), st.lists(MAYBE_WORD, max_size=3)),
                "reply": st.one_of(
                    st.none(),
                    st.fixed_dictionaries({"parent": st.fixed_dictionaries({"uri": MAYBE_WORD})}),
                ),
            },
        )
    )
    view = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "author": st.fixed_dictionaries(
                    {},
                    optional={"did": MAYBE_WORD, "handle": MAYBE_WORD, "displayName": MAYBE_WORD},
                ),
                "indexedAt": TIME,
                "likeCount": st.one_of(st.none(), st.integers(0, 10**9)),
                "embed": st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {
                            "$type": st.just("app.bsky.embed.images#view"),
                            "images": st.lists(
                                st.fixed_dictionaries(
                                    {"fullsize": WORD}, optional={"alt": st.one_of(st.none(), TEXT)}
                                ),
                                max_size=4,
                            ),
                        }
                    ),
                ),
            },
        )
    )
    return {**view, "uri": f"at://{did}/app.bsky.feed.post/{rkey}", "record": record}


@PROPERTY_SETTINGS
@given(view=bluesky_post())
def test_any_bluesky_post_maps_without_crashing_and_keeps_its_uri_and_text(view):
    item = bluesky._item(view)
    assert item is not None
    assert item.remote_id == view["uri"]
    assert item.text == view["record"]["text"]
    images = (view.get("embed") or {}).get("images") or []
    assert [m.alt for m in item.media] == [str(i.get("alt") or "") for i in images]


x_post = st.fixed_dictionaries(
    {"id": DIGITS, "text": TEXT},
    optional={
        "author_id": st.one_of(st.none(), DIGITS),
        "created_at": TIME,
        "lang": MAYBE_WORD,
        "referenced_tweets": st.one_of(
            st.none(),
            st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["replied_to", "retweeted", "quoted"]), "id": DIGITS}
                ),
                max_size=2,
            ),
        ),
        "entities": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "hashtags": st.lists(st.fixed_dictionaries({"tag": MAYBE_WORD}), max_size=3),
                    "mentions": st.lists(
                        st.fixed_dictionaries({"username": MAYBE_WORD}), max_size=3
                    ),
                    "urls": st.lists(
                        st.fixed_dictionaries({}, optional={"expanded_url": MAYBE_WORD}),
                        max_size=3,
                    ),
                },
            ),
        ),
        "public_metrics": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"like_count": st.integers(0, 10**9)})
        ),
    },
)


@PROPERTY_SETTINGS
@given(post=x_post)
def test_any_x_post_maps_without_crashing_and_keeps_its_id_and_words(post):
    item = x._item(post, {}, {})
    assert item.remote_id == post["id"]
    assert item.text == html.unescape(post["text"])
    replied = [r["id"] for r in post.get("referenced_tweets") or [] if r["type"] == "replied_to"]
    if replied:
        assert item.reply_to_id in replied


@st.composite
def telegram_message(draw):
    text = draw(TEXT)
    entities = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["hashtag", "mention", "url", "text_link", "bold"]),
                    "offset": st.integers(0, 500),
                    "length": st.integers(0, 500),
                },
                optional={"url": WORD},
            ),
            max_size=4,
        )
    )
    message = {
        "message_id": draw(st.integers(1, 2**31)),
        "chat": draw(
            st.fixed_dictionaries(
                {"id": st.integers(-(10**13), 10**13)},
                optional={
                    "type": st.sampled_from(["channel", "supergroup", "private"]),
                    "username": MAYBE_WORD,
                },
            )
        ),
        "text": text,
        "entities": entities,
    }
    if draw(st.booleans()):
        message["date"] = draw(st.integers(0, 2**31))
    return message


@PROPERTY_SETTINGS
@given(message=telegram_message(), key=st.sampled_from(["message", "channel_post"]))
def test_any_telegram_message_maps_without_crashing_and_keeps_chat_and_message_ids(message, key):
    item = read_item(message, {"update_id": 1, key: message})
    assert item.remote_id == f"{message['chat']['id']}:{message['message_id']}"
    assert item.text == message["text"]


facebook_post = st.fixed_dictionaries(
    {"id": st.from_regex(r"[0-9]{5,15}_[0-9]{5,15}", fullmatch=True)},
    optional={
        "message": st.one_of(st.none(), TEXT),
        "created_time": st.one_of(st.none(), st.just("2026-11-24T09:15:00+0000"), WORD),
        "permalink_url": MAYBE_WORD,
        "from": st.one_of(
            st.none(), st.fixed_dictionaries({}, optional={"id": MAYBE_WORD, "name": MAYBE_WORD})
        ),
        "attachments": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "data": st.lists(
                        st.fixed_dictionaries(
                            {},
                            optional={
                                "type": st.sampled_from(["photo", "share", "video_inline"]),
                                "url": MAYBE_WORD,
                                "description": st.one_of(st.none(), TEXT),
                            },
                        ),
                        max_size=3,
                    )
                }
            ),
        ),
    },
)


@PROPERTY_SETTINGS
@given(post=facebook_post)
def test_any_facebook_post_maps_without_crashing_and_keeps_its_id_and_words(post):
    item = facebook._item(post)
    assert item.remote_id == post["id"]
    assert item.text == (post.get("message") or "")


# --- the parsers of stored reading positions and of limit headers ---------------------------

MOMENT = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))


@PROPERTY_SETTINGS
@given(
    since=st.one_of(st.none(), MOMENT),
    page=st.one_of(st.none(), TEXT),
    newest=st.one_of(st.none(), MOMENT),
    oldest=st.one_of(st.none(), MOMENT),
)
def test_a_bluesky_reading_position_reads_back_as_it_was_stored(since, page, newest, oldest):
    state = ReadState(since=since, page=page, newest=newest, oldest=oldest)
    stored = state.dump()
    if page is None:  # only the watermark is kept between bursts
        assert ReadState.parse(stored) == ReadState(since=since)
    else:
        assert ReadState.parse(stored) == state


@PROPERTY_SETTINGS
@given(since_id=DIGITS, token=TEXT, newest=st.one_of(st.just(""), DIGITS))
def test_an_x_reading_position_reads_back_as_it_was_stored(since_id, token, newest):
    stored = json.dumps({"since_id": since_id, "next_token": token, "newest_id": newest})
    assert _read_state(stored) == (since_id, token, newest)
    assert _read_state(since_id) == (since_id, "", "")


@PROPERTY_SETTINGS
@given(cursor=TEXT)
def test_any_stored_position_either_reads_or_is_refused_in_words(cursor):
    for read in (ReadState.parse, _read_state):
        try:
            read(cursor)
        except PayloadRejected as refused:
            assert "reading position is damaged" in refused.message


@PROPERTY_SETTINGS
@given(
    headers=st.dictionaries(
        st.sampled_from(
            [
                "ratelimit-remaining",
                "x-rate-limit-remaining",
                "x-ratelimit-remaining",
                "ratelimit-reset",
                "x-rate-limit-reset",
                "x-ratelimit-reset",
                "retry-after",
            ]
        ),
        st.one_of(TEXT.map(lambda text: text.encode("ascii", "ignore").decode()), DIGITS),
    )
)
def test_limit_headers_of_any_value_never_crash_and_give_a_count_and_an_aware_time(headers):
    now = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
    budget = budget_from_headers(headers, now)
    if budget is not None:
        assert isinstance(budget["remaining"], int) and budget["remaining"] >= 0
        assert budget["reset_at"] is None or budget["reset_at"].tzinfo is not None

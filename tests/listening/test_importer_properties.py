"""Property tests of every importer: whatever a file holds, an import ends cleanly.

For files shaped as each platform writes them, filled with arbitrary Unicode (lone
surrogates included where JSON can carry them), huge and empty fields and keys in any
order, and for the same files cut anywhere or replaced by arbitrary bytes:

- the import either finishes or refuses the file with an ImportFileError, and a
  refusal comes from the check before anything is written (never an import stopped
  half-way, never another exception);
- a refused file leaves nothing in the archive, and every stored payload matches its
  SHA-256 (no partial record);
- importing the same file again adds nothing.

Example counts are kept small so the suite stays quick on two cores.
"""

from __future__ import annotations

import json
import random
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from houseboat.campaigns.models import Campaign
from houseboat.listening.custody import verify_payloads
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import ImportStopped, run_import
from houseboat.listening.models import Item
from tests.listening.samples import (
    ACCOUNT_JS,
    fb_json,
    fb_post,
    ndjson,
    note_activity,
    outbox,
    telegram_export,
    telegram_message,
    tweets_js,
    v1_tweet,
    v2_page,
    v2_tweet,
    x_archive_zip,
)

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any text, now and then a lone surrogate (old posts cut inside an emoji), huge or empty.
LONE_SURROGATES = st.text(
    alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=2
)
ANY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(max_size=20).flatmap(lambda t: LONE_SURROGATES.map(lambda s: t + s)),
    st.just(""),
    st.integers(min_value=20_000, max_value=60_000).map(lambda n: "✊🏽 الحرية " * (n // 10)),
)
# WhatsApp chats are UTF-8 text files: no surrogates can be written in them.
CHAT_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\n\r"),
    max_size=80,
)


def shuffled(value: Any, rng: random.Random) -> Any:
    """Return the value with every object's keys in another order (JSON allows any)."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode()  # ASCII: lone surrogates travel as \\udXXX escapes


# --- each format, built from arbitrary texts --------------------------------------------------


def x_ndjson(texts: list[str], rng: random.Random, folder: Path) -> Path:
    posts = [v2_tweet(str(1795000000000000000 + n), t) for n, t in enumerate(texts)]
    path = folder / "search.jsonl"
    path.write_bytes(ndjson(shuffled(v2_page(posts), rng)))
    return path


def x_archive(texts: list[str], rng: random.Random, folder: Path) -> Path:
    tweets = [{"tweet": v1_tweet(str(1795000000000000000 + n), t)} for n, t in enumerate(texts)]
    return x_archive_zip(
        folder / "archive.zip",
        {"data/account.js": ACCOUNT_JS, "data/tweets.js": tweets_js(shuffled(tweets, rng))},
    )


def mastodon_outbox(texts: list[str], rng: random.Random, folder: Path) -> Path:
    notes = [note_activity(str(112000000000000000 + n), t) for n, t in enumerate(texts)]
    path = folder / "outbox.json"
    path.write_bytes(dumps(shuffled(outbox(notes), rng)))
    return path


def telegram_json(texts: list[str], rng: random.Random, folder: Path) -> Path:
    messages = [telegram_message(n + 1, t) for n, t in enumerate(texts)]
    path = folder / "result.json"
    path.write_bytes(dumps(shuffled(telegram_export(messages), rng)))
    return path


def facebook_dyi(texts: list[str], rng: random.Random, folder: Path) -> Path:
    path = folder / "your_posts_1.json"
    entries = [fb_post(1716891300 + n, t, title=t[:30]) for n, t in enumerate(texts)]
    try:
        path.write_bytes(fb_json(shuffled(entries, rng)))
    except UnicodeEncodeError:  # a lone surrogate cannot go through Facebook's mojibake
        path.write_bytes(dumps(shuffled(entries, rng)))
    return path


FORMATS: dict[str, Callable[[list[str], random.Random, Path], Path]] = {
    "x-ndjson": x_ndjson,
    "x-archive": x_archive,
    "mastodon-outbox": mastodon_outbox,
    "telegram-json": telegram_json,
    "facebook-dyi": facebook_dyi,
}


def whatsapp_file(lines: list[tuple[str, str]], folder: Path) -> Path:
    path = folder / "_chat.txt"
    body = "".join(
        f"24/11/2026, 21:{n % 60:02d} - {sender or 'Ana'}: {text}\n"
        for n, (sender, text) in enumerate(lines)
    )
    path.write_text(body, encoding="utf-8")
    return path


# --- the properties ---------------------------------------------------------------------------


def fresh_campaign(campaign_a: Campaign) -> Campaign:
    """A campaign of its own for each example (examples share the test's database)."""
    slug = f"p-{uuid.uuid4().hex[:12]}"
    return Campaign.objects.create(team=campaign_a.team, name=slug, slug=slug)


def import_cleanly(campaign: Campaign, format: str, path: Path, **kwargs: Any) -> Any:
    """Import, allowing only a refusal found before writing; return the capture or the error."""
    try:
        return run_import(campaign=campaign, format=format, path=path, **kwargs)
    except ImportStopped as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{format}: the import stopped half-way instead of refusing: {exc}")
    except ImportFileError as exc:
        assert str(exc).strip(), "a refusal must say why"
        return exc


def assert_whole(campaign: Campaign) -> None:
    assert verify_payloads(Item.objects.filter(campaign=campaign)) == []
    assert not Item.objects.filter(campaign=campaign, remote_id="").exists()


@pytest.mark.parametrize("format", sorted(FORMATS))
@PROPERTY
@given(
    texts=st.lists(ANY_TEXT, min_size=1, max_size=4),
    rng=st.randoms(use_true_random=False),
    data=st.data(),
)
def test_any_text_in_a_well_formed_file_imports_once(campaign_a, format, texts, rng, data):
    campaign = fresh_campaign(campaign_a)
    with tempfile.TemporaryDirectory() as folder:
        path = FORMATS[format](texts, rng, Path(folder))
        keep_going = data.draw(st.booleans(), label="keep_going")
        first = import_cleanly(campaign, format, path, keep_going=keep_going)
        assert_whole(campaign)
        if isinstance(first, ImportFileError):
            assert not Item.objects.filter(campaign=campaign).exists()
            return
        stored = Item.objects.filter(campaign=campaign).count()
        again = import_cleanly(campaign, format, path, keep_going=keep_going)
        assert not isinstance(again, ImportFileError), again
        assert again.items_new == 0
        assert Item.objects.filter(campaign=campaign).count() == stored


@pytest.mark.parametrize("format", sorted(FORMATS))
@PROPERTY
@given(
    texts=st.lists(ANY_TEXT, min_size=1, max_size=3),
    cut=st.floats(0, 1),
    rng=st.randoms(use_true_random=False),
)
def test_a_file_cut_anywhere_is_imported_whole_or_refused_whole(
    campaign_a, format, texts, cut, rng
):
    campaign = fresh_campaign(campaign_a)
    with tempfile.TemporaryDirectory() as folder:
        path = FORMATS[format](texts, rng, Path(folder))
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * cut)])
        result = import_cleanly(campaign, format, path)
        if isinstance(result, ImportFileError):
            assert not Item.objects.filter(campaign=campaign).exists()
        assert_whole(campaign)


@pytest.mark.parametrize("format", [*sorted(FORMATS), "whatsapp-txt"])
@PROPERTY
@given(content=st.binary(max_size=400))
def test_arbitrary_bytes_are_refused_or_imported_never_a_crash(campaign_a, format, content):
    campaign = fresh_campaign(campaign_a)
    with tempfile.TemporaryDirectory() as folder:
        name = {"x-archive": "archive.zip", "whatsapp-txt": "_chat.txt"}.get(format, "data.json")
        path = Path(folder) / name
        path.write_bytes(content)
        import_cleanly(campaign, format, path, keep_going=True)
        assert_whole(campaign)


@PROPERTY
@given(
    lines=st.lists(st.tuples(CHAT_TEXT.map(lambda s: s.replace(": ", " ")), CHAT_TEXT), max_size=5),
    cut=st.floats(0, 1),
)
def test_a_whatsapp_chat_of_any_text_cut_anywhere_imports_once(campaign_a, lines, cut):
    campaign = fresh_campaign(campaign_a)
    with tempfile.TemporaryDirectory() as folder:
        path = whatsapp_file(lines, Path(folder))
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * cut)] if lines else data)
        first = import_cleanly(campaign, "whatsapp-txt", path, options={"date_order": "dmy"})
        assert_whole(campaign)
        if isinstance(first, ImportFileError):
            assert not Item.objects.filter(campaign=campaign).exists()
            return
        stored = Item.objects.filter(campaign=campaign).count()
        again = import_cleanly(campaign, "whatsapp-txt", path, options={"date_order": "dmy"})
        assert again.items_new == 0
        assert Item.objects.filter(campaign=campaign).count() == stored

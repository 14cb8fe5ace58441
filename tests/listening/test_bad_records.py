"""One bad record is one bad record: deep nesting, and what --keep-going tells afterwards."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.language import detect
from houseboat.listening.models import CustodyRecord, Item
from tests.listening.samples import (
    ACCOUNT_JS,
    fb_json,
    fb_post,
    ndjson,
    standard_outbox,
    telegram_export,
    telegram_message,
    tweets_js,
    v1_tweet,
    v2_page,
    v2_tweet,
    write,
    x_archive_zip,
    zip_files,
)

pytestmark = pytest.mark.django_db

DEPTH = 1000


def nested(depth: int = DEPTH) -> object:
    value: object = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def deep_text(depth: int = DEPTH) -> str:
    """About 6 KB of JSON nested ``depth`` levels (json.dumps itself cannot write it)."""
    return "[" * depth + '"bottom"' + "]" * depth


def x_ndjson_file(tmp_path: Path) -> Path:
    good = ndjson(v2_page([v2_tweet("1795000000000000701", "Day 100")])).rstrip(b"\n")
    bad = b'{"id": "1795000000000000702", "text": "deep", "x": ' + deep_text().encode() + b"}"
    return write(tmp_path / "search.jsonl", good + b"\n" + bad + b"\n")


def outbox_file(tmp_path: Path) -> Path:
    box = standard_outbox()
    text = json.dumps(box)
    marker = '"orderedItems": ['
    bad = '{"type": "Create", "object": {"content": ' + deep_text() + "}}, "
    return write(tmp_path / "outbox.json", text.replace(marker, marker + bad).encode())


def telegram_file(tmp_path: Path) -> Path:
    text = json.dumps(telegram_export([telegram_message(2, "Day 100")]))
    marker = '"messages": ['
    bad = '{"id": 3, "type": "message", "text": ' + deep_text() + "}, "
    return write(tmp_path / "result.json", text.replace(marker, marker + bad).encode())


def facebook_file(tmp_path: Path) -> Path:
    text = fb_json([fb_post(1716891300, "Day 100")]).decode()
    bad = '{"timestamp": 1716891301, "data": ' + deep_text() + "}, "
    return zip_files(
        tmp_path / "facebook.zip",
        {"posts/your_posts_1.json": "[" + bad + text.lstrip()[1:]},
    )


def x_archive_file(tmp_path: Path) -> Path:
    text = tweets_js([{"tweet": v1_tweet("1795000000000000801", "Day 100")}]).decode()
    bad = '{"tweet": {"id_str": "1795000000000000802", "full_text": ' + deep_text() + "}}, "
    return x_archive_zip(
        tmp_path / "archive.zip",
        {"data/account.js": ACCOUNT_JS, "data/tweets.js": text.replace("= [", "= [" + bad, 1)},
    )


FILES = {
    "x-ndjson": x_ndjson_file,
    "mastodon-outbox": outbox_file,
    "telegram-json": telegram_file,
    "facebook-dyi": facebook_file,
    "x-archive": x_archive_file,
}


@pytest.mark.parametrize("format", sorted(FILES))
def test_a_record_nested_a_thousand_deep_is_one_bad_record(campaign_a, tmp_path, format):
    path = FILES[format](tmp_path)
    with pytest.raises(ImportFileError, match="nested more than 100 levels deep"):
        run_import(campaign=campaign_a, format=format, path=path)
    assert not Item.objects.exists()
    capture = run_import(campaign=campaign_a, format=format, path=path, keep_going=True)
    assert capture.records_skipped == 1
    assert capture.items_new >= 1
    [reason] = capture.report["skipped"]
    assert reason["reason"] == "the record is nested more than 100 levels deep"
    assert reason["count"] == 1


def test_keep_going_counts_each_reason_with_its_first_positions(campaign_a, tmp_path):
    lines = [json.dumps(v2_page([v2_tweet("1795000000000000901", "Day 100")]))]
    lines += ["{not json"] * 7
    lines += ['{"data": "neither"}'] * 2
    path = write(tmp_path / "mixed.jsonl", ("\n".join(lines) + "\n").encode())
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path, keep_going=True)
    assert capture.records_skipped == 9
    report = {r["reason"]: r for r in capture.report["skipped"]}
    assert report["the line is not valid JSON"]["count"] == 7
    assert report["the line is not valid JSON"]["first"] == [
        f"mixed.jsonl, line {n}" for n in range(2, 7)
    ]
    assert report["its data is neither a post nor a list of posts"]["count"] == 2
    statement = json.loads(CustodyRecord.objects.get(capture=capture).statement)
    assert statement["report"]["skipped"] == capture.report["skipped"]


def test_the_installed_command_prints_the_skipped_records_per_reason(campaign_a, tmp_path):
    data_dir = tmp_path / "data"
    # The installed command on the SQLite file of a fresh data folder, also when the suite
    # runs on PostgreSQL.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data_dir)
    houseboat = str(Path(sys.executable).parent / "houseboat")
    subprocess.run([houseboat, "migrate", "-v", "0"], env=env, check=True, capture_output=True)
    script = (
        "from houseboat.core.models import Team; from houseboat.campaigns.models import Campaign;"
        "t = Team.objects.create(name='T', slug='t');"
        "Campaign.objects.create(team=t, name='Free', slug='free')"
    )
    subprocess.run(
        [houseboat, "shell", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    done = subprocess.run(
        [
            houseboat,
            "import",
            "x-ndjson",
            str(x_ndjson_file(tmp_path)),
            "--campaign",
            "free",
            "--keep-going",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "1 bad records skipped" in done.stdout
    assert "Skipped 1: the record is nested more than 100 levels deep (search.jsonl, line 2)" in (
        done.stderr
    )


def test_a_guess_needs_enough_words_besides_hashtags_mentions_and_links():
    assert detect("#FreeTheTen #Justicia #Libertad #Ahora #Periodistas #Hoy") == ""
    assert detect("@amnesty @hrw @cpj https://example.org/a-very-long-link-here") == ""
    assert detect("Free the ten journalists now, they did nothing wrong") == "en"


def test_a_guess_is_always_a_two_letter_code():
    texts = [
        "Abeg make una free the ten journalists, dem no do anything wrong o",
        "Ang sampung mamamahayag ay dapat palayain ngayon din",
        "Mi ɗon yiɗi ndeen ɓe njeyaa ɓe ngoni e kasoo",
    ]
    for text in texts:
        code = detect(text)
        assert code == "" or len(code) == 2, (text, code)


def test_a_nul_character_in_a_post_is_stored_as_a_replacement_mark(campaign_a, tmp_path):
    page = v2_page([v2_tweet("1795000000000000991", "Day\x00 100")])
    path = write(tmp_path / "nul.jsonl", json.dumps(page).encode() + b"\n")
    capture = run_import(campaign=campaign_a, format="x-ndjson", path=path)
    assert capture.items_new == 1
    item = Item.objects.get()
    assert item.text == "Day\ufffd 100"
    assert item.raw_payload()["text"] == "Day\x00 100"

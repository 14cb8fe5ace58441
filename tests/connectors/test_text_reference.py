"""houseboat's X count against X's own library, twitter-text (npm), run on Node.

twitter-text's conformance file is published only on GitHub; the library it tests is on
npm, so scripts/test installs it beside the Node of the Bluesky tier and this test asks
it directly: the issue's cases, the conformance-shaped cases of test_text.py, and
thousands of texts drawn as the property tests draw them. Characters no text of a
person holds (unassigned, private-use and control characters) are left out of the drawn
texts: the two libraries' Unicode tables differ there, and X refuses such text anyway.
"""

import json
import os
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from houseboat.connectors import text
from tests.connectors.test_text import CHINESE, X_CONFORMANCE
from tests.connectors.test_text_properties import texts
from tests.realservers.bluesky_pds import cache_dir, node_binary

pytestmark = pytest.mark.realserver("twitter-text")

ORACLE = """
const twitter = require('twitter-text');
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
for (const line of lines) console.log(JSON.stringify(twitter.parseTweet(JSON.parse(line))));
"""
UNUSUAL = {"Cn", "Co", "Cc", "Cs"}


def twitter_text_dir() -> Path:
    return cache_dir() / "twitter-text"


def not_installed() -> str | None:
    """Why twitter-text cannot be asked here, or None when it can."""
    if not os.access(node_binary(), os.X_OK):
        return f"Node 22 is not installed in {node_binary().parent}"
    if not (twitter_text_dir() / ".installed").is_file():
        return f"twitter-text is not installed in {twitter_text_dir()}"
    return None


def official(samples: list[str], tmp_path: Path) -> list[dict]:
    script = tmp_path / "oracle.js"
    script.write_text(ORACLE)
    answer = subprocess.run(
        [str(node_binary()), str(script)],
        input="\n".join(json.dumps(sample) for sample in samples),
        capture_output=True,
        text=True,
        env={"NODE_PATH": str(twitter_text_dir() / "node_modules")},
        check=True,
        timeout=120,
    )
    # One answer a line; JSON leaves U+2028 and U+0085 unescaped, so split on "\n" only.
    return [json.loads(line) for line in answer.stdout.split("\n") if line]


def drawn(examples: int) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(texts)
    def collect(sample: str) -> None:
        kept = "".join(c for c in sample if unicodedata.category(c) not in UNUSUAL)
        if kept:
            found.append(kept)

    collect()
    return found


def test_the_issues_cases_and_the_conformance_shaped_cases_count_as_x_counts_them(tmp_path):
    samples = [
        CHINESE * 78 + "." + CHINESE * 79,
        ("See report.docx and budget.xlsx before the hearing. " * 10)[:280],
        *(sample for _name, sample, _expected in X_CONFORMANCE),
    ]
    theirs = official(samples, tmp_path)
    assert [answer["weightedLength"] for answer in theirs] == [
        text.x_weighted(sample) for sample in samples
    ]
    assert theirs[0]["weightedLength"] == 315 and not theirs[0]["valid"]
    assert theirs[1]["weightedLength"] == 280 and theirs[1]["valid"]


def test_thousands_of_drawn_texts_count_as_x_counts_them(tmp_path):
    samples = drawn(3000)
    theirs = official(samples, tmp_path)
    differ = [
        (sample, answer["weightedLength"], text.x_weighted(sample))
        for sample, answer in zip(samples, theirs, strict=True)
        if answer["weightedLength"] != text.x_weighted(sample)
    ]
    assert len(samples) > 2000
    assert differ == []

"""`houseboat radar` as a person runs it: the installed script, in a subprocess, in a fresh
data folder holding the hand-counted press and archive of test_compare.py."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough passphrase here"
CAMPAIGN = "open-the-files"
FILL = (
    "from houseboat.campaigns.models import Campaign; "
    "from tests.radar.test_compare import fill_radar; "
    f"fill_radar(Campaign.objects.get(slug='{CAMPAIGN}'))"
)


def script() -> list[str]:
    """The console script installed next to this Python, as a person runs it."""
    installed = Path(sys.executable).parent / "houseboat"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "houseboat"]


class Houseboat:
    def __init__(self, work: Path) -> None:
        self.work = work

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
        }
        env["HOUSEBOAT_DATA_DIR"] = str(self.work / "data")
        env["PYTHONPATH"] = str(ROOT)  # only for `shell` to find the fixture's data
        return subprocess.run(
            [*script(), *args], capture_output=True, text=True, env=env, timeout=120, cwd=self.work
        )

    def ok(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode == 0, f"houseboat {' '.join(args)}:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    def refused(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode != 0, result.stdout
        assert "Traceback" not in result.stderr
        return result.stderr


@pytest.fixture(scope="module")
def hb(tmp_path_factory) -> Houseboat:
    hb = Houseboat(tmp_path_factory.mktemp("radar"))
    (hb.work / "pw").write_text(PASSWORD + "\n")
    hb.ok("migrate", "-v0")
    hb.ok("createuser", "alice", "--password-file", "pw")
    hb.ok("team", "create", "Harbour Watch", "--owner", "alice")
    hb.ok("campaign", "create", "--team", "harbour-watch", "--name", "Open the Files")
    return hb


def regex_line(term: str, count: int) -> re.Pattern:
    """A line of the distinctive words: the term, a positive z, the count."""
    return re.compile(rf"^  {term} +z= +\d+\.\d\d +{count}$", re.MULTILINE)


RADAR = ["radar", "--campaign", CAMPAIGN, "--from", "2026-05-01", "--to", "2026-05-02"]


def test_a_campaign_without_an_issue_query_is_told_how_to_give_one(hb):
    said = hb.refused(*RADAR)
    assert "has no issue query yet" in said and "--terms" in said


def test_the_radar_from_a_script_prints_the_comparison_and_writes_csv(hb):
    hb.ok("shell", "-c", FILL)
    out = hb.ok(*RADAR, "--csv", "tables")
    assert out.startswith(
        "Radar: Sami (riot, #Vigil) in open-the-files, 2026-05-01 to 2026-05-02 (UTC)"
    )
    assert "Social media named it 5 hours earlier: @ana (mastodon)" in out
    assert "The press: 3 stories on the issue, 60.0% of the 5 stories" in out
    assert "  2026-05-01  press      2/2        100.0%   social       3/4          75.0%\n" in out
    press_words = out.split("Distinctive words, press")[1].split("Distinctive words, social")[0]
    assert regex_line("riot", 4).search(press_words)
    assert "#vigil" in out.split("Distinctive words, social")[1]
    assert "Lead: social, by 5 hours" in out
    assert "riot-1  first in the press, 15 hours before the other side" in out
    assert "Wrote 7 tables to tables" in out
    with (hb.work / "tables" / "volume.csv").open(newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["date", "press_matched", "press_collected", "press_share",
             "social_matched", "social_collected", "social_share"],
            ["2026-05-01", "2", "2", "1.0", "3", "4", "0.75"],
            ["2026-05-02", "1", "3", "0.333333", "2", "3", "0.666667"],
        ]  # fmt: skip
    with (hb.work / "tables" / "sources.csv").open(newline="") as handle:
        rows = list(csv.reader(handle))
    # A name a spreadsheet would read as a formula (@…) is written as text.
    assert ["social", "'@ana (mastodon)", "2", "0.4"] in rows
    assert ["press", "Daily Star", "2", "0.666667"] in rows
    crossing = (hb.work / "tables" / "crossing_links.csv").read_text()
    assert "https://dailystar.example/riot-1,press,2026-05-01T06:00:00+00:00" in crossing


def test_words_given_on_the_command_line_replace_the_saved_query(hb):
    out = hb.ok(*RADAR, "--terms", "harbour")
    assert "Radar: (--terms) (harbour)" in out
    # S1 in the press (06:00), I2 on social media (01:00).
    assert "on the issue    1 " in out and "Social media named it 5 hours earlier" in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-13-01", "--to", "2026-05-02"], "--from '2026-13-01' is not a date"),
        (["--from", "2026-05-03", "--to", "2026-05-02"], "is before --from"),
        (["--from", "0001-01-01", "--to", "2026-05-02"], "Choose a day between"),
    ],
)
def test_bad_dates_are_refused_with_a_reason(hb, args, says):
    assert says in hb.refused("radar", "--campaign", CAMPAIGN, *args)


def test_an_unknown_campaign_or_query_is_named(hb):
    assert "No campaign is called 'nope'" in hb.refused(
        "radar", "--campaign", "nope", "--from", "2026-05-01", "--to", "2026-05-02"
    )
    assert "no issue query called 'Other'" in hb.refused(*RADAR, "--query", "Other")

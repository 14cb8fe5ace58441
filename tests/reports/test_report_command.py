"""`houseboat report` as a person runs it: the installed script, in a subprocess, in a
fresh data folder holding the demo campaign."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

CAMPAIGN = "free-the-riverside-ten"


def script() -> list[str]:
    installed = Path(sys.executable).parent / "houseboat"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "houseboat"]


def environment(data: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data)
    return env


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory) -> Path:
    """A data folder with the demo's team and campaigns (the demo's own seeding)."""
    work = tmp_path_factory.mktemp("demo")
    env = environment(work / "data")
    subprocess.run([*script(), "migrate", "-v0"], env=env, check=True, timeout=300)
    seed = "import django; django.setup(); from houseboat.demo import seed; seed()"
    env["DJANGO_SETTINGS_MODULE"] = "houseboat.settings"
    subprocess.run([sys.executable, "-c", seed], env=env, check=True, timeout=300)
    return work


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*script(), "report", *args],
        capture_output=True,
        text=True,
        env=environment(folder / "data"),
        cwd=folder,
        timeout=300,
    )


def period() -> list[str]:
    today = date.today()
    return ["--from", (today - timedelta(days=90)).isoformat(), "--to", today.isoformat()]


def test_the_demo_report_is_written_as_pdf_with_its_arabic_outcome_and_csv_annex(demo_folder):
    result = run(
        demo_folder, "--campaign", CAMPAIGN, *period(), "--out", "demo.pdf", "--csv", "demo.zip"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Wrote the report of free-the-riverside-ten" in result.stdout
    pdf = demo_folder / "demo.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Free the Riverside Ten" in text
    assert "Outcomes harvested" in text
    assert "جريمة" in text and "المرصد" in text  # the demo's outcome in Arabic
    assert (demo_folder / "demo.zip").read_bytes().startswith(b"PK")


def test_html_output_and_team_slash_slug(demo_folder):
    result = run(demo_folder, "--campaign", f"riverside/{CAMPAIGN}", *period(), "--out", "r.html")
    assert result.returncode == 0, result.stderr
    assert "<!doctype html>" in (demo_folder / "r.html").read_text()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["--campaign", "nope", "--from", "2026-01-01", "--to", "2026-01-31", "--out", "x.pdf"],
            "No campaign is called 'nope'",
        ),
        (
            [
                "--campaign",
                CAMPAIGN,
                "--from",
                "2026-01-31",
                "--to",
                "2026-01-01",
                "--out",
                "x.pdf",
            ],
            "ends before it starts",
        ),
        (
            [
                "--campaign",
                CAMPAIGN,
                "--from",
                "31/01/2026",
                "--to",
                "2026-02-01",
                "--out",
                "x.pdf",
            ],
            "write it as YYYY-MM-DD",
        ),
        (
            [
                "--campaign",
                CAMPAIGN,
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-31",
                "--out",
                "x.docx",
            ],
            "name the report file .pdf or .html",
        ),
    ],
)
def test_mistakes_are_named_and_exit_non_zero(demo_folder, args, says):
    result = run(demo_folder, *args)
    assert result.returncode != 0
    assert says in result.stderr and "Traceback" not in result.stderr

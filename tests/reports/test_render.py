"""The report as HTML, PDF (WeasyPrint) and CSV annex."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date

import pytest

from houseboat.connectors.models import Channel
from houseboat.reports import render
from houseboat.reports.models import Outcome
from houseboat.safety.models import Alert
from tests.reports.conftest import END, START, at
from tests.reports.test_sections import send

ARABIC = "الصحافة ليست جريمة"


@pytest.fixture
def filled(campaign_a, alice):
    """A campaign with an outcome in Arabic and a few alerts (small counts)."""
    Outcome.objects.create(
        campaign=campaign_a,
        actor="Al-Marsad",
        change=f"مقال على الصفحة الأولى: {ARABIC}",
        happened_on=date(2026, 11, 10),
        contribution="Our press kit",
        confirmed_by="https://example.org/almarsad",
        created_by=alice,
    )
    channel = Channel.objects.create(team=campaign_a.team, network="mastodon", name="Ours")
    send(campaign_a, alice, channel, at(6))
    for n in range(2):
        Alert.objects.create(
            team=campaign_a.team,
            campaign=campaign_a,
            network="x",
            remote_id=str(n),
            kinds="threat",
            created_at=at(4),
        )
    return campaign_a


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_pdf_has_the_arabic_text_and_an_svg_chart(filled, tmp_path):
    made = render.render(filled, START, END, "en")
    assert made.pdf is not None, made.pdf_error
    assert made.pdf.startswith(b"%PDF")
    text = pdf_text(made.pdf, tmp_path)
    assert "Monitoring and evaluation report" in text
    for word in ARABIC.split():
        assert word in text
    assert "fewer than 5" in text
    # "Mastodon" is written only inside the posts-per-network chart: an inline SVG that
    # WeasyPrint drew into the PDF, its labels as text.
    assert "<svg" in made.html and 'class="chart"' in made.html
    assert "Mastodon" in text


def test_an_arabic_report_is_right_to_left_with_charts_drawn_right_to_left(filled, alice):
    made = render.render(filled, START, END, "ar", pdf=False)
    assert '<html lang="ar" dir="rtl">' in made.html
    # The chart is drawn right to left too: bars grow leftwards from the labels.
    assert 'direction="rtl"' in made.html
    assert ARABIC in made.html


def test_the_html_stands_alone_with_no_outside_address(filled):
    html = render.render(filled, START, END, "en", pdf=False).html
    assert "<style>" in html and "@page" in html
    # Outside addresses typed by people (the outcome's source) are shown as text only.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    assert "https://example.org/almarsad" in html


def test_the_csv_annex_has_one_file_per_table_and_a_readme_naming_them(filled):
    made = render.render(filled, START, END, "en", pdf=False)
    archive = zipfile.ZipFile(io.BytesIO(made.csv_zip))
    names = set(archive.namelist())
    assert {
        "README.txt",
        "outcomes.csv",
        "safety-alerts.csv",
        "outputs-posts-per-network.csv",
    } <= names
    readme = archive.read("README.txt").decode()
    for name in names - {"README.txt"}:
        assert name in readme
    alerts = archive.read("safety-alerts.csv").decode()
    assert "threat,fewer than 5" in alerts
    assert ",2\n" not in alerts  # the small count never appears in the CSV
    assert ARABIC in archive.read("outcomes.csv").decode("utf-8")


def test_without_weasyprint_the_html_is_written_and_the_message_says_how_to_install(
    filled, monkeypatch
):
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    made = render.render(filled, START, END, "en")
    assert made.pdf is None
    assert "pip install 'houseboat[report]'" in made.pdf_error
    assert "Monitoring and evaluation report" in made.html


def test_the_pdf_fetches_nothing_a_person_typed(filled):
    import http.server
    import threading

    asked = []

    class Server(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        html = render.render(filled, START, END, "en", pdf=False).html
        url = f"http://127.0.0.1:{server.server_port}/x.png"
        html = html.replace("</body>", f'<img src="{url}" alt="x"></body>')
        assert render.render_pdf(html).startswith(b"%PDF")
    finally:
        server.shutdown()
    assert asked == []


def test_an_arabic_cell_in_an_english_report_runs_right_to_left(filled):
    html = render.render(filled, START, END, "en", pdf=False).html
    assert f'<td dir="rtl">مقال على الصفحة الأولى: {ARABIC}</td>' in html
    assert '<td dir="ltr">Our press kit</td>' in html


def test_rendering_a_pdf_leaves_the_media_sanitiser_refusing_cut_pictures(tmp_path):
    # WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES on import. The worker
    # renders reports and cleans photos in one process: a cut photo must stay refused
    # rather than be published with its lower third grey.
    from houseboat.safety.media import DamagedMediaError, clean_image
    from tests.safety import samples

    assert render.render_pdf("<p>report</p>").startswith(b"%PDF")
    whole = samples.camera_jpeg(tmp_path / "whole.jpg").read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.raises(DamagedMediaError, match="damaged or incomplete"):
        clean_image(cut, tmp_path / "out.jpg")
    assert not (tmp_path / "out.jpg").exists()

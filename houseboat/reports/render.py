"""The report as one HTML file that stands alone, as PDF (WeasyPrint), and its CSV annex."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from houseboat.campaigns.models import Campaign
from houseboat.reports import sections as sections_module
from houseboat.reports import suppression
from houseboat.reports.sections import Period, Section

CSS = Path(__file__).with_name("report.css")
INSTALL_PDF = (
    "The PDF needs WeasyPrint, an optional part of houseboat: pip install 'houseboat[report]' "
    "(it uses the system's Pango library). The HTML report was written all the same."
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the system libraries it needs) is not installed."""


@dataclass
class Rendered:
    """A report's three outputs; ``pdf`` is None where WeasyPrint is missing."""

    html: str
    pdf: bytes | None
    csv_zip: bytes
    pdf_error: str = ""


def build(
    campaign: Campaign, start: date, end: date, language: str
) -> tuple[list[Section], Period]:
    """Compute every section in the report's language (labels and chart direction)."""
    with translation.override(language):
        period = Period(start, end, rtl=translation.get_language_bidi())
        return sections_module.build(campaign, period), period


def render_html(campaign: Campaign, built: list[Section], period: Period, language: str) -> str:
    """Return the report as a standalone HTML page: its CSS inside, no outside address."""
    with translation.override(language):
        return render_to_string(
            "reports/report.html",
            {
                "campaign": campaign,
                "sections": built,
                "period": period,
                "language": language,
                "rtl": translation.get_language_bidi(),
                "css": mark_safe(CSS.read_text()),  # noqa: S308 -- our own file
                "written_at": timezone.now(),
                "annex": annex_files(built),
                "threshold": suppression.THRESHOLD,
            },
        )


def render_pdf(html: str) -> bytes:
    """Turn the report's HTML into PDF with WeasyPrint; PdfUnavailable if it is missing."""
    # WeasyPrint reports each step at INFO (its import too): noise in the worker's log.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    # WeasyPrint's import sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would make
    # the media sanitiser in this same worker accept a cut photo: put it back as it was.
    from PIL import ImageFile

    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango is missing from the system
        raise PdfUnavailable(INSTALL_PDF) from exc
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    # No base_url and no protocol allowed: the report has nothing to fetch, and a value
    # typed by someone must never make the worker fetch an address.
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=frozenset(), allow_redirects=False)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def annex_files(built: list[Section]) -> list[tuple[str, str]]:
    """Return (file name, title) of each CSV in the annex, in the report's order."""
    return [(f"{key}.csv", title) for s in built for key, title, _h, _r in s.annex()]


def csv_text(header: list, rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(h) for h in header])
    writer.writerows([[str(c) if not isinstance(c, int | float) else c for c in r] for r in rows])
    return out.getvalue()


def csv_zip(campaign: Campaign, built: list[Section], period: Period) -> bytes:
    """Return the annex: one CSV per chart and table, and a README.txt naming them."""
    buffer = io.BytesIO()
    lines = [
        f"Monitoring and evaluation report of {campaign.name} ({campaign.slug}),",
        f"{period.start.isoformat()} to {period.end.isoformat()}. One CSV file (UTF-8) per",
        "chart and table of the report:",
        "",
    ]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in built:
            for key, title, header, rows in section.annex():
                archive.writestr(f"{key}.csv", csv_text(header, rows))
                lines.append(f"{key}.csv  {section.title}: {title}")
        lines += [
            "",
            "Safety counts from 1 to 4 read 'fewer than 5', and a total that would reveal one",
            "of them is not shown. No supporter is named anywhere.",
        ]
        archive.writestr("README.txt", "\n".join(str(line) for line in lines) + "\n")
    return buffer.getvalue()


def render(
    campaign: Campaign, start: date, end: date, language: str, *, pdf: bool = True
) -> Rendered:
    """Compute and write the whole report."""
    built, period = build(campaign, start, end, language)
    html = render_html(campaign, built, period, language)
    annex = csv_zip(campaign, built, period)
    if not pdf:
        return Rendered(html, None, annex)
    try:
        return Rendered(html, render_pdf(html), annex)
    except PdfUnavailable as exc:
        return Rendered(html, None, annex, pdf_error=str(exc))

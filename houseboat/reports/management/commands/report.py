"""`houseboat report --campaign SLUG --from DATE --to DATE --out FILE`: an M&E report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.reports import render
from houseboat.reports.jobs import check_period


def day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Write a campaign's monitoring-and-evaluation report as PDF or HTML, with its CSVs."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="The campaign: SLUG or TEAM/SLUG.")
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD.")
        parser.add_argument(
            "--out", required=True, help="The report file: name.pdf, or name.html for HTML only."
        )
        parser.add_argument("--csv", help="Also write the CSV annex to this ZIP file.")
        parser.add_argument(
            "--language",
            help="Language of the report (en, ar, es, fa, fr); default: the campaign page's.",
        )

    def handle(self, *args, **options):
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        start, end = day(options["start"]), day(options["end"])
        if problem := check_period(start, end):
            raise CommandError(problem)
        out = Path(options["out"])
        if out.suffix.lower() not in {".pdf", ".html", ".htm"}:
            raise CommandError(f"{out}: name the report file .pdf or .html.")
        if not out.parent.is_dir():
            raise CommandError(f"There is no folder {out.parent}: make it first.")
        language = options["language"] or campaign.site_language or "en"
        want_pdf = out.suffix.lower() == ".pdf"
        made = render.render(campaign, start, end, language, pdf=want_pdf)
        if options["csv"]:
            Path(options["csv"]).write_bytes(made.csv_zip)
            self.stdout.write(f"Wrote the CSV annex to {options['csv']}.")
        if want_pdf and made.pdf is None:
            html = out.with_suffix(".html")
            html.write_text(made.html, encoding="utf-8")
            raise CommandError(f"{made.pdf_error} It is in {html}.")
        if want_pdf:
            out.write_bytes(made.pdf)
        else:
            out.write_text(made.html, encoding="utf-8")
        self.stdout.write(f"Wrote the report of {campaign.slug}, {start} to {end}, to {out}.")

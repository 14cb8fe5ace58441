"""`houseboat report --campaign SLUG --from DATE --to DATE --out FILE`: an M&E report."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand, day
from houseboat.reports import render
from houseboat.reports.jobs import check_period


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Write a campaign's monitoring-and-evaluation report as PDF or HTML, with its CSVs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help=_("The campaign: SLUG or TEAM/SLUG."))
        parser.add_argument("--from", dest="start", required=True, help=_("First day, YYYY-MM-DD."))
        parser.add_argument("--to", dest="end", required=True, help=_("Last day, YYYY-MM-DD."))
        parser.add_argument(
            "--out", required=True, help=_("The report file: name.pdf, or name.html for HTML only.")
        )
        parser.add_argument("--csv", help=_("Also write the CSV annex to this ZIP file."))
        parser.add_argument(
            "--language",
            help=_("Language of the report (en, ar, es, fa, fr); default: the campaign page's."),
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
            raise CommandError(_("%(out)s: name the report file .pdf or .html.") % {"out": out})
        if not out.parent.is_dir():
            raise CommandError(
                _("There is no folder %(parent)s: make it first.") % {"parent": out.parent}
            )
        language = options["language"] or campaign.site_language or "en"
        want_pdf = out.suffix.lower() == ".pdf"
        made = render.render(campaign, start, end, language, pdf=want_pdf)
        if options["csv"]:
            Path(options["csv"]).write_bytes(made.csv_zip)
            self.stdout.write(_("Wrote the CSV annex to %(csv)s.") % {"csv": options["csv"]})
        if want_pdf and made.pdf is None:
            html = out.with_suffix(".html")
            html.write_text(made.html, encoding="utf-8")
            raise CommandError(
                _("%(pdf_error)s It is in %(html)s.") % {"pdf_error": made.pdf_error, "html": html}
            )
        if want_pdf:
            out.write_bytes(made.pdf)
        else:
            out.write_text(made.html, encoding="utf-8")
        self.stdout.write(
            _("Wrote the report of %(slug)s, %(start)s to %(end)s, to %(out)s.")
            % {"slug": campaign.slug, "start": start, "end": end, "out": out}
        )

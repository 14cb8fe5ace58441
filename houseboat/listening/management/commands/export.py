"""`houseboat export --campaign SLUG --out DIR`: the campaign's archive in open formats."""

from pathlib import Path

from django.core.management.base import CommandError

from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.services import audit
from houseboat.listening.export import ExportError, export_campaign


class Command(HouseboatCommand):
    help = "Write a campaign's archive to a folder in open formats, with a manifest of hashes."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="Web address of the campaign.")
        parser.add_argument(
            "--out", required=True, metavar="DIR", help="A new (or empty) folder to write."
        )
        parser.add_argument(
            "--format",
            choices=["jsonl", "parquet"],
            default="jsonl",
            help="jsonl (the full, restorable export) or parquet (items for analysts).",
        )

    def handle(self, *args, **options):
        campaign = Campaign.objects.select_related("team").filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(
                f"No campaign is called {options['campaign']!r}. "
                "`houseboat campaign list` shows them."
            )
        if options["format"] == "parquet":
            raise CommandError(
                "The Parquet export needs pyarrow, which this install does not have yet. "
                "Use the JSON Lines export (the default): DuckDB and pandas read items.jsonl "
                "directly (read_json_auto, pandas.read_json(lines=True))."
            )
        try:
            result = export_campaign(campaign, Path(options["out"]))
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        audit(
            AuditAction.ARCHIVE_EXPORTED,
            team=campaign.team,
            target=campaign.name,
            detail=f"{result.counts['items']:,} items, manifest SHA-256 {result.manifest_sha256}",
        )
        for problem in result.problems[:20]:
            self.stderr.write(f"Warning: {problem}")
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {counts['items']:,} items ({counts['snapshots']:,} later captures), "
                f"{counts['authors']:,} authors, {counts['media_files']:,} media files and "
                f"{counts['custody']:,} custody records of {campaign.slug} to {result.path}."
            )
        )
        self.stdout.write(
            f"Manifest SHA-256: {result.manifest_sha256} (custody record {result.custody_seq}). "
            f"Check the folder any time with: houseboat verify {result.path}"
        )

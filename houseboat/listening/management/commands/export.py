"""`houseboat export --campaign SLUG --out DIR`: the campaign's archive in open formats.

The folder holds items.jsonl (complete, restorable) and items.parquet (typed columns
for analysts), authors, media files and custody records, with a manifest of hashes.
"""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.services import audit
from houseboat.listening.export import ExportError, export_campaign


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Write a campaign's archive to a folder in open formats, with a manifest of hashes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help=_("Web address of the campaign."))
        parser.add_argument(
            "--out", required=True, metavar="DIR", help=_("A new (or empty) folder to write.")
        )

    def handle(self, *args, **options):
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
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
            _(
                "Manifest SHA-256: %(manifest_sha256)s (custody record %(custody_seq)s). Check the folder any time with: houseboat verify %(path)s"
            )
            % {
                "manifest_sha256": result.manifest_sha256,
                "custody_seq": result.custody_seq,
                "path": result.path,
            }
        )

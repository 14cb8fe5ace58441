"""`houseboat import FORMAT PATH --campaign SLUG`: bring a platform's export into the archive."""

import sys
import time

from django.core.management.base import CommandError

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.models import User
from houseboat.core.services import audit
from houseboat.listening.importers import IMPORTERS, get_importer
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.ingest import BATCH_SIZE
from houseboat.listening.models import Capture

PROGRESS_EVERY = 10_000


class Command(HouseboatCommand):
    help = "Import a platform's export or collected posts into a campaign's archive."

    def add_arguments(self, parser):
        formats = ", ".join(
            f"{name} ({get_importer(name).MANIFEST['label']})" for name in IMPORTERS
        )
        parser.add_argument("format", metavar="FORMAT", help=f"One of: {formats}.")
        parser.add_argument(
            "path", metavar="PATH", help="The file to import (for houseboat-export: the folder)."
        )
        parser.add_argument("--campaign", required=True, help="Web address of the campaign.")
        parser.add_argument(
            "--keep-going",
            action="store_true",
            help="Skip bad records (and count them) instead of refusing the whole file.",
        )
        parser.add_argument(
            "--user", default="", help="The houseboat account to record as importer."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Records per batch.")
        parser.add_argument(
            "--date-order",
            choices=["dmy", "mdy", "ymd"],
            help="whatsapp-txt: how the phone writes dates, when the file alone cannot tell.",
        )
        parser.add_argument(
            "--timezone",
            metavar="AREA/CITY",
            help="whatsapp-txt: the phone's time zone (default UTC), e.g. Africa/Cairo.",
        )

    def handle(self, *args, **options):
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None or not actor.memberships.filter(team=campaign.team).exists():
                raise CommandError(
                    f"{options['user']!r} is not a member of the team of {campaign.slug}."
                )
        started = time.monotonic()
        shown = [0]

        def progress(capture: Capture) -> None:
            if capture.position - shown[0] >= PROGRESS_EVERY:
                shown[0] = capture.position
                elapsed = max(time.monotonic() - started, 0.001)
                print(
                    f"{capture.position:,} records, {capture.items_new:,} new, "
                    f"{elapsed:,.0f} s, {capture.position / elapsed:,.0f} records/s",
                    file=sys.stderr,
                    flush=True,
                )

        try:
            capture = run_import(
                campaign=campaign,
                format=options["format"],
                path=options["path"],
                actor=actor,
                keep_going=options["keep_going"],
                batch_size=max(1, options["batch_size"]),
                progress=progress,
                options={"date_order": options["date_order"], "timezone": options["timezone"]},
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for note in getattr(capture, "notes", []):
            self.stderr.write(f"Note: {note}")
        # The file's name stays out of the audit log: a chat export is named after a person.
        audit(
            AuditAction.ARCHIVE_IMPORTED,
            actor=actor,
            team=campaign.team,
            target=campaign.name,
            detail=f"{capture.format}: {capture.items_new:,} new items (capture {capture.pk})",
        )
        self.stdout.write(self.style.SUCCESS(summary(capture)))


def summary(capture: Capture) -> str:
    """Say in one paragraph what an import did."""
    parts = [
        f"Imported {capture.items_new:,} new items from {capture.source_name} "
        f"into {capture.campaign.slug}",
        f"{capture.items_known:,} already in the archive",
        f"{capture.snapshots_new:,} newer captures kept as history",
        f"{capture.media_stored:,} media files stored",
    ]
    if capture.records_skipped:
        parts.append(f"{capture.records_skipped:,} bad records skipped")
    record = capture.custody_records.order_by("-seq").first()
    custody = f" Custody record {record.seq}." if record else ""
    return "; ".join(parts) + "." + custody

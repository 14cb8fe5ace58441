"""`houseboat import FORMAT PATH --campaign SLUG`: bring a platform's export into the archive.

``--background`` queues the file for the worker's imports lane instead, exactly as the
archive's Import page does, and prints the job's id; ``houseboat import --status ID``
says how far that job got.
"""

import sys
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.models import User
from houseboat.core.services import audit
from houseboat.listening import jobs
from houseboat.listening.constants import ImportJobState
from houseboat.listening.importers import IMPORTERS, get_importer
from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.imports import run_import
from houseboat.listening.ingest import BATCH_SIZE
from houseboat.listening.models import Capture, ImportJob

PROGRESS_EVERY = 10_000


class Command(HouseboatCommand):
    help = gettext_lazy("Import a platform's export or collected posts into a campaign's archive.")

    def add_arguments(self, parser):
        formats = ", ".join(
            f"{name} ({get_importer(name).MANIFEST['label']})" for name in IMPORTERS
        )
        parser.add_argument(
            "format",
            metavar="FORMAT",
            nargs="?",
            help=_("One of: %(formats)s.") % {"formats": formats},
        )
        parser.add_argument(
            "path",
            metavar="PATH",
            nargs="?",
            help=_("The file to import (for houseboat-export: the folder)."),
        )
        parser.add_argument("--campaign", help=_("Web address of the campaign (required)."))
        parser.add_argument(
            "--background",
            action="store_true",
            help=_(
                "Queue the file for the worker (as the Import page does), print the job's "
                "id and return at once."
            ),
        )
        parser.add_argument(
            "--status",
            metavar="ID",
            type=int,
            help=_("Say how far the queued import job ID got, and stop."),
        )
        parser.add_argument(
            "--keep-going",
            action="store_true",
            help=_("Skip bad records (and count them) instead of refusing the whole file."),
        )
        parser.add_argument(
            "--user", default="", help=_("The houseboat account to record as importer.")
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=_("Records per batch.")
        )
        parser.add_argument(
            "--date-order",
            choices=["dmy", "mdy", "ymd"],
            help=_("whatsapp-txt: how the phone writes dates, when the file alone cannot tell."),
        )
        parser.add_argument(
            "--timezone",
            metavar="AREA/CITY",
            help=(
                _(
                    "whatsapp-txt and telegram-json: the zone of the phone's or computer's clock "
                    "(default UTC), e.g. Africa/Cairo. Importing again with it corrects the times."
                )
            ),
        )
        parser.add_argument(
            "--chat",
            action="append",
            metavar="NAME",
            help=(
                _(
                    "telegram-json, whole-account export: import only this chat (its name or "
                    "number); give it again for more chats. Without it, every chat is imported."
                )
            ),
        )

    def handle(self, *args, **options):
        if options["status"] is not None:
            self.stdout.write(job_status(options["status"]))
            return
        if not (options["format"] and options["path"] and options["campaign"]):
            raise CommandError(
                _(
                    "Give the format, the file and the campaign: houseboat import FORMAT PATH "
                    "--campaign SLUG (or houseboat import --status ID for a queued import)."
                )
            )
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None or not actor.memberships.filter(team=campaign.team).exists():
                raise CommandError(
                    _("%(user)r is not a member of the team of %(slug)s.")
                    % {"user": options["user"], "slug": campaign.slug}
                )
        if options["background"]:
            job = queue_in_background(campaign, actor, options)
            self.stdout.write(str(job.pk))
            self.stderr.write(
                _(
                    "Queued as import job %(pk)s: the worker imports it (`houseboat import --status %(pk)s` says how far it got)."
                )
                % {"pk": job.pk}
            )
            return
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
                options={
                    "date_order": options["date_order"],
                    "timezone": options["timezone"],
                    "chat": options["chat"],
                },
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        for note in getattr(capture, "notes", []):
            self.stderr.write(f"Note: {note}")
        for line in skipped_lines(capture):
            self.stderr.write(line)
        # The file's name stays out of the audit log: a chat export is named after a person.
        audit(
            AuditAction.ARCHIVE_IMPORTED,
            actor=actor,
            team=campaign.team,
            target=campaign.name,
            detail=f"{capture.format}: {capture.items_new:,} new items (capture {capture.pk})",
        )
        self.stdout.write(self.style.SUCCESS(summary(capture)))


def skipped_lines(capture: Capture) -> list[str]:
    """Say, per reason, how many records --keep-going skipped and where the first ones are."""
    lines = []
    for reason in capture.report.get("skipped", []):
        where = ", ".join(reason["first"])
        more = ", …" if reason["count"] > len(reason["first"]) else ""
        lines.append(f"Skipped {reason['count']:,}: {reason['reason']} ({where}{more})")
    return lines


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
    alerts = (
        " The background worker (houseboat worker) checks the new items for threats, "
        "slurs and doxxing."
        if capture.items_new
        else ""
    )
    return "; ".join(parts) + "." + custody + alerts


def queue_in_background(campaign: Campaign, actor: User | None, options: dict) -> ImportJob:
    """Queue a file as an import job for the worker, as the archive's Import page does."""
    name = options["format"]
    try:
        get_importer(name)  # an unknown format is refused here, with the ones there are
    except ImportFileError as exc:
        raise CommandError(str(exc)) from None
    path = Path(options["path"])
    if not path.is_file():
        raise CommandError(
            _(
                "%(path)s is not a file. The worker imports single files; import a folder (a houseboat export) without --background."
            )
            % {"path": path}
        )
    with path.open("rb") as handle:
        return jobs.queue_import(
            campaign=campaign,
            format=name,
            upload=File(handle, name=path.name),
            user=actor,
            options={"date_order": options["date_order"], "timezone": options["timezone"]},
        )


def job_status(job_id: int) -> str:
    """Say in one line where an import job stands."""
    job = ImportJob.objects.select_related("campaign").filter(pk=job_id).first()
    if job is None:
        raise CommandError(_("There is no import job %(job_id)s.") % {"job_id": job_id})
    line = f"Import job {job.pk} ({job.format}, {job.source_name} into {job.campaign.slug}): "
    line += ImportJobState(job.state).label
    if job.records_total:
        share = 100 * job.records_done / job.records_total
        line += f", {job.records_done:,} of {job.records_total:,} records ({share:.0f} %)"
    elif job.records_done:
        line += f", {job.records_done:,} records"
    line += f", {job.items_new:,} new, {job.items_known:,} already in the archive."
    if job.error:
        line += f" {job.error}"
    return line

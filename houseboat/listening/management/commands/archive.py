"""`houseboat archive purge --campaign SLUG (--before YYYY-MM-DD | --all) --yes`."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand, day
from houseboat.listening.retention import Purge, purge_archive


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Purge a campaign's archive, whole or older than a date (retention); custody stays."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        purge = actions.add_parser(
            "purge",
            help=_(
                "Delete archived items (and media no other item uses); prints a preview "
                "unless --yes."
            ),
        )
        purge.add_argument("--campaign", required=True, help=_("Web address of the campaign."))
        which = purge.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--before",
            metavar="YYYY-MM-DD",
            help=_(
                "Purge the items posted before this day (UTC); items with no posting time "
                "count by when they were captured."
            ),
        )
        which.add_argument("--all", action="store_true", help=_("Purge the whole archive."))
        purge.add_argument(
            "--yes", action="store_true", help=_("Really purge. Without it nothing changes.")
        )

    def handle(self, *args, **options):
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        purge = Purge(campaign, None if options["all"] else day(options["before"]))
        count = purge.items().count()
        if not options["yes"]:
            self.stdout.write(
                f"Would purge {count:,} items of {campaign.slug} ({purge.describe()}). "
                "Nothing was changed: add --yes to purge. Export the archive first "
                "(houseboat export) if the team may need it again."
            )
            return
        result = purge_archive(purge)
        self.stdout.write(
            self.style.SUCCESS(
                f"Purged {result.items:,} items of {campaign.slug} ({purge.describe()}) and "
                f"{result.media_files:,} media files no other item used. The chain of custody "
                f"keeps a record of the purge (record {result.custody_seq})."
            )
        )

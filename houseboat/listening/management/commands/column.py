"""`houseboat column add|list|pause|resume|remove`: a campaign's board from a script."""

from django.core.management.base import CommandError

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.listening import columns
from houseboat.listening.constants import ColumnKind
from houseboat.listening.models import Column

KINDS = ["keywords" if k == ColumnKind.KEYWORD else k for k in ColumnKind.values]


class Command(HouseboatCommand):
    help = "Add, list, pause, resume or remove the live columns of a campaign's board."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="Add a column; the worker reads it in its next round.")
        add.add_argument("--campaign", required=True, help="Web address of the campaign.")
        add.add_argument(
            "--channel", default=None, help="Name (or number) of the channel that reads it."
        )
        add.add_argument("--kind", required=True, choices=KINDS, help="What the column reads.")
        add.add_argument(
            "--query",
            default="",
            help="The hashtag, the words, the account, the list's id, or the feed's address.",
        )
        add.add_argument(
            "--allow-private-network",
            action="store_true",
            help="A feed column only: allow an address on this machine or the local network "
            "(off by default, so a feed address cannot reach the machines around the server).",
        )
        add.add_argument(
            "--every", type=int, default=None, metavar="SECONDS", help="Read it this often."
        )
        listing = sub.add_parser("list", help="List a campaign's columns and how each is doing.")
        listing.add_argument("--campaign", required=True, help="Web address of the campaign.")
        for action, text in (
            ("pause", "Stop reading a column until it is resumed."),
            ("resume", "Read a paused column again, from where it stopped."),
            ("remove", "Remove a column; the items it brought in stay in the archive."),
        ):
            one = sub.add_parser(action, help=text)
            one.add_argument("column", type=int, help="The column's number (see column list).")

    def handle(self, *args, **options):
        try:
            getattr(self, f"do_{options['action']}")(options)
        except (columns.ColumnError, CampaignNotFound) as error:
            raise CommandError(str(error)) from None

    def do_add(self, options):
        campaign = find_campaign(options["campaign"])
        channel = None
        if options["channel"]:
            channel = columns.team_channel(campaign, options["channel"])
        column = columns.add_column(
            campaign,
            kind=options["kind"],
            query=options["query"],
            channel=channel,
            allow_private_network=options["allow_private_network"],
            every=options["every"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added column {column.pk} to {campaign.slug}: {column.title}, read every "
                f"{column.interval_seconds} seconds by the worker's reading lane."
            )
        )

    def do_list(self, options):
        campaign = find_campaign(options["campaign"])
        rows = list(columns.board(campaign))
        if not rows:
            self.stdout.write(f"{campaign.slug} has no columns yet: add one with `column add`.")
            return
        for column in rows:
            self.stdout.write(
                f"{column.pk}\t{column.title}\t{column.items_new} items\t"
                f"{columns.column_state(column)}"
            )

    def column(self, options) -> Column:
        try:
            return Column.objects.select_related("campaign", "channel").get(pk=options["column"])
        except Column.DoesNotExist:
            raise columns.ColumnError(
                f"There is no column {options['column']}. `houseboat column list --campaign "
                "SLUG` shows their numbers."
            ) from None

    def do_pause(self, options):
        column = self.column(options)
        columns.pause_column(column, "Paused from the command line.")
        self.stdout.write(f"Paused column {column.pk} ({column.title}).")

    def do_resume(self, options):
        column = self.column(options)
        columns.resume_column(column)
        self.stdout.write(f"Resumed column {column.pk} ({column.title}): read in the next round.")

    def do_remove(self, options):
        column = self.column(options)
        columns.remove_column(column)
        self.stdout.write(
            f"Removed column {column.pk} ({column.title}); what it read stays in the archive."
        )

"""`houseboat column add|list|pause|resume|remove`: a campaign's board from a script."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.listening import columns
from houseboat.listening.constants import ColumnKind
from houseboat.listening.models import Column

KINDS = ["keywords" if k == ColumnKind.KEYWORD else k for k in ColumnKind.values]


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Add, list, pause, resume or remove the live columns of a campaign's board."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help=_("Add a column; the worker reads it in its next round."))
        add.add_argument("--campaign", required=True, help=_("Web address of the campaign."))
        add.add_argument(
            "--channel", default=None, help=_("Name (or number) of the channel that reads it.")
        )
        add.add_argument("--kind", required=True, choices=KINDS, help=_("What the column reads."))
        add.add_argument(
            "--query",
            default="",
            help=_("The hashtag, the words, the account, the list's id, or the feed's address."),
        )
        add.add_argument(
            "--allow-private-network",
            action="store_true",
            help=_(
                "A feed column only: allow an address on this machine or the local network "
                "(off by default, so a feed address cannot reach the machines around the server)."
            ),
        )
        add.add_argument(
            "--every", type=int, default=None, metavar="SECONDS", help=_("Read it this often.")
        )
        listing = sub.add_parser("list", help=_("List a campaign's columns and how each is doing."))
        listing.add_argument("--campaign", required=True, help=_("Web address of the campaign."))
        for action, text in (
            ("pause", "Stop reading a column until it is resumed."),
            ("resume", "Read a paused column again, from where it stopped."),
            ("remove", "Remove a column; the items it brought in stay in the archive."),
        ):
            one = sub.add_parser(action, help=text)
            one.add_argument("column", type=int, help=_("The column's number (see column list)."))

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
                _(
                    "Added column %(pk)s to %(slug)s: %(title)s, read every %(interval_seconds)s seconds by the worker's reading lane."
                )
                % {
                    "pk": column.pk,
                    "slug": campaign.slug,
                    "title": column.title,
                    "interval_seconds": column.interval_seconds,
                }
            )
        )

    def do_list(self, options):
        campaign = find_campaign(options["campaign"])
        rows = list(columns.board(campaign))
        if not rows:
            self.stdout.write(
                _("%(slug)s has no columns yet: add one with `column add`.")
                % {"slug": campaign.slug}
            )
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
        self.stdout.write(
            _("Paused column %(pk)s (%(title)s).") % {"pk": column.pk, "title": column.title}
        )

    def do_resume(self, options):
        column = self.column(options)
        columns.resume_column(column)
        self.stdout.write(
            _("Resumed column %(pk)s (%(title)s): read in the next round.")
            % {"pk": column.pk, "title": column.title}
        )

    def do_remove(self, options):
        column = self.column(options)
        columns.remove_column(column)
        self.stdout.write(
            _("Removed column %(pk)s (%(title)s); what it read stays in the archive.")
            % {"pk": column.pk, "title": column.title}
        )

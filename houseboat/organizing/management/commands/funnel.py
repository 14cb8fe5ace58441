from django.core.management.base import CommandError

from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.organizing.constants import DEFAULT_STALLED_DAYS
from houseboat.organizing.funnel import build_funnel, format_table


class Command(HouseboatCommand):
    help = "Show a campaign's ladder of engagement as a table: reached, how fast, stalled."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="The campaign's web address.")
        parser.add_argument(
            "--stalled-days",
            type=int,
            default=DEFAULT_STALLED_DAYS,
            help=f"Days without a response that count as stalled (default {DEFAULT_STALLED_DAYS}).",
        )

    def handle(self, *args, campaign: str, stalled_days: int, **options):
        found = Campaign.objects.select_related("team").filter(slug=campaign).first()
        if found is None:
            raise CommandError(
                f"No campaign is called {campaign!r}. `houseboat campaign list` shows them."
            )
        if stalled_days < 1:
            raise CommandError("--stalled-days must be 1 or more.")
        funnel = build_funnel(found, stalled_days=stalled_days)
        self.stdout.write(
            f"{found.name}: {funnel.supporters} supporters, {funnel.responses} responses; "
            f"stalled = nothing for {stalled_days} days"
        )
        for line in format_table(funnel):
            self.stdout.write(line)

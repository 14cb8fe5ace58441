from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.organizing.constants import DEFAULT_STALLED_DAYS
from houseboat.organizing.funnel import build_funnel, format_table


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Show a campaign's ladder of engagement as a table: reached, how fast, stalled."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help=_("The campaign's web address."))
        parser.add_argument(
            "--stalled-days",
            type=int,
            default=DEFAULT_STALLED_DAYS,
            help=_(
                "Days without a response that count as stalled (default %(default_stalled_days)s)."
            )
            % {"default_stalled_days": DEFAULT_STALLED_DAYS},
        )

    def handle(self, *args, campaign: str, stalled_days: int, **options):
        found = Campaign.objects.select_related("team").filter(slug=campaign).first()
        if found is None:
            raise CommandError(
                _("No campaign is called %(campaign)r. `houseboat campaign list` shows them.")
                % {"campaign": campaign}
            )
        if stalled_days < 1:
            raise CommandError(_("--stalled-days must be 1 or more."))
        funnel = build_funnel(found, stalled_days=stalled_days)
        self.stdout.write(
            _(
                "%(name)s: %(supporters)s supporters, %(responses)s responses; stalled = nothing for %(stalled_days)s days"
            )
            % {
                "name": found.name,
                "supporters": funnel.supporters,
                "responses": funnel.responses,
                "stalled_days": stalled_days,
            }
        )
        for line in format_table(funnel):
            self.stdout.write(line)

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.forms import CampaignForm
from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.models import Team
from houseboat.core.services import audit


class Command(HouseboatCommand):
    help = gettext_lazy("Create or list campaigns.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list}")
        create = sub.add_parser("create", help=_("Create a campaign in a team."))
        create.add_argument("--team", required=True, help=_("Short name of the team."))
        create.add_argument("--name", required=True)
        create.add_argument("--slug", default="", help=_("Web address (default: from the name)."))
        create.add_argument("--summary", default="", help=_("Public summary."))
        create.add_argument(
            "--hashtags", default="", help=_('For example "#FreeThemAll #PressFreedom".')
        )
        create.add_argument("--starts", default="", help=_("Start date, YYYY-MM-DD."))
        create.add_argument("--ends", default="", help=_("End date, YYYY-MM-DD."))
        create.add_argument("--public", action="store_true", help=_("Turn the public page on."))
        listing = sub.add_parser("list", help=_("List campaigns."))
        listing.add_argument("--team", help=_("Only this team's campaigns."))

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create(options)
        else:
            self.list(options.get("team"))

    def create(self, options) -> None:
        team = Team.objects.filter(slug=options["team"]).first()
        if team is None:
            raise CommandError(
                _("No team is called %(team)r. `houseboat team list` shows them.")
                % {"team": options["team"]}
            )
        form = CampaignForm(
            {
                "name": options["name"],
                "slug": options["slug"],
                "summary": options["summary"],
                "hashtags": options["hashtags"],
                "starts_on": options["starts"],
                "ends_on": options["ends"],
                "site_public": options["public"],
            },
            team=team,
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(
                _("The campaign was not created. %(problems)s") % {"problems": problems}
            )
        form.instance.team = team
        campaign = form.save()
        audit(
            AuditAction.CAMPAIGN_CREATED,
            team=team,
            target=campaign.name,
            detail="from the command line",
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Created campaign %(name)s (%(slug)s).")
                % {"name": campaign.name, "slug": campaign.slug}
            )
        )

    def list(self, team_slug: str | None) -> None:
        campaigns = Campaign.objects.select_related("team").order_by("team__slug", "slug")
        if team_slug:
            campaigns = campaigns.filter(team__slug=team_slug)
        if not campaigns:
            self.stdout.write(_("No campaigns."))
        for c in campaigns:
            public = "public" if c.site_public else "private"
            self.stdout.write(f"{c.slug}\t{c.name}\tteam={c.team.slug}\t{public}")

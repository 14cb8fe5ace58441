from django.core.management.base import CommandError

from houseboat.campaigns.forms import CampaignForm
from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.models import Team
from houseboat.core.services import audit


class Command(HouseboatCommand):
    help = "Create or list campaigns."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list}")
        create = sub.add_parser("create", help="Create a campaign in a team.")
        create.add_argument("--team", required=True, help="Short name of the team.")
        create.add_argument("--name", required=True)
        create.add_argument("--slug", default="", help="Web address (default: from the name).")
        create.add_argument("--summary", default="", help="Public summary.")
        create.add_argument(
            "--hashtags", default="", help='For example "#FreeThemAll #PressFreedom".'
        )
        create.add_argument("--starts", default="", help="Start date, YYYY-MM-DD.")
        create.add_argument("--ends", default="", help="End date, YYYY-MM-DD.")
        create.add_argument("--public", action="store_true", help="Turn the public page on.")
        listing = sub.add_parser("list", help="List campaigns.")
        listing.add_argument("--team", help="Only this team's campaigns.")

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create(options)
        else:
            self.list(options.get("team"))

    def create(self, options) -> None:
        team = Team.objects.filter(slug=options["team"]).first()
        if team is None:
            raise CommandError(
                f"No team is called {options['team']!r}. `houseboat team list` shows them."
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
            raise CommandError(f"The campaign was not created. {problems}")
        form.instance.team = team
        campaign = form.save()
        audit(
            AuditAction.CAMPAIGN_CREATED,
            team=team,
            target=campaign.name,
            detail="from the command line",
        )
        self.stdout.write(
            self.style.SUCCESS(f"Created campaign {campaign.name} ({campaign.slug}).")
        )

    def list(self, team_slug: str | None) -> None:
        campaigns = Campaign.objects.select_related("team").order_by("team__slug", "slug")
        if team_slug:
            campaigns = campaigns.filter(team__slug=team_slug)
        if not campaigns:
            self.stdout.write("No campaigns.")
        for c in campaigns:
            public = "public" if c.site_public else "private"
            self.stdout.write(f"{c.slug}\t{c.name}\tteam={c.team.slug}\t{public}")

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.services import audit
from houseboat.organizing.constants import ActionKind
from houseboat.organizing.forms import ActionForm
from houseboat.organizing.links import make_link, short_url


def find_campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.select_related("team").filter(slug=slug).first()
    if campaign is None:
        raise CommandError(
            _("No campaign is called %(slug)r. `houseboat campaign list` shows them.")
            % {"slug": slug}
        )
    return campaign


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Add or list a campaign's calls to action (events, petitions, donations, asks)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list}")
        add = sub.add_parser("add", help=_("Add a call to action, with its public page."))
        add.add_argument("--campaign", required=True, help=_("The campaign's web address."))
        add.add_argument("--kind", required=True, choices=ActionKind.values)
        add.add_argument("--title", required=True)
        add.add_argument("--description", default="")
        add.add_argument("--starts", default="", help=_("Start, YYYY-MM-DD HH:MM (events)."))
        add.add_argument("--ends", default="", help=_("End, YYYY-MM-DD HH:MM."))
        add.add_argument("--place", default="")
        add.add_argument(
            "--private-place",
            action="store_true",
            help=_("Say on the public page that the place is shared with confirmed supporters."),
        )
        add.add_argument("--capacity", default="")
        add.add_argument("--link", default="", help=_("Donation page or what to share."))
        add.add_argument("--goal", default="", help=_("Signatures wanted (petitions)."))
        add.add_argument(
            "--tracked",
            action="append",
            default=[],
            metavar="PLACE",
            help=_("Also make a tracked short link for a place (x, whatsapp, poster...)."),
        )
        listing = sub.add_parser("list", help=_("List a campaign's calls to action."))
        listing.add_argument("--campaign", required=True)

    def handle(self, *args, action: str, **options):
        campaign = find_campaign(options["campaign"])
        if action == "add":
            self.add(campaign, options)
        else:
            self.list(campaign)

    def add(self, campaign: Campaign, options) -> None:
        form = ActionForm(
            {
                "kind": options["kind"],
                "title": options["title"],
                "description": options["description"],
                "starts_at": options["starts"],
                "ends_at": options["ends"],
                "place": options["place"],
                "place_private": options["private_place"],
                "capacity": options["capacity"],
                "target_url": options["link"],
                "goal": options["goal"],
                "is_open": True,
            }
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(
                _("The call to action was not added. %(problems)s") % {"problems": problems}
            )
        form.instance.campaign = campaign
        action = form.save()
        audit(
            AuditAction.ACTION_CREATED,
            team=campaign.team,
            target=action.title,
            detail="from the command line",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {action.get_kind_display().lower()} {action.pk}: {action.title}"
            )
        )
        self.stdout.write(_("Public page: %(public_path)s") % {"public_path": action.public_path()})
        for place in options["tracked"]:
            link = make_link(action, source=place.strip().lower())
            self.stdout.write(
                _("Tracked link for %(source)s: %(short_url)s")
                % {"source": link.source, "short_url": short_url(link)}
            )

    def list(self, campaign: Campaign) -> None:
        actions = campaign.actions.order_by("id")
        if not actions:
            self.stdout.write(_("No calls to action."))
        for a in actions:
            when = f"\t{a.starts_at:%Y-%m-%d %H:%M}" if a.starts_at else ""
            answers = a.responses.count()
            state = "open" if a.is_open else "closed"
            self.stdout.write(f"{a.pk}\t{a.kind}\t{a.title}{when}\t{answers} responses\t{state}")

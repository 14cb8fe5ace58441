from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction, Role
from houseboat.core.models import Membership, Team
from houseboat.core.services import audit


class Command(HouseboatCommand):
    help = gettext_lazy("Create or list teams.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list}")
        create = sub.add_parser("create", help="Create a team.")
        create.add_argument("name")
        create.add_argument("--slug", help=_("Short name for addresses (default: from the name)."))
        create.add_argument("--owner", help=_("Username of an existing account to make owner."))
        sub.add_parser("list", help=_("List teams with their member counts."))

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create(options["name"], options.get("slug"), options.get("owner"))
        else:
            self.list()

    def create(self, name: str, slug: str | None, owner: str | None) -> None:
        slug = slug or slugify(name)
        if not slug:
            raise CommandError(_("Give the team a --slug of letters, numbers and dashes."))
        if Team.objects.filter(slug=slug).exists():
            raise CommandError(
                _("A team with the short name %(slug)r exists already.") % {"slug": slug}
            )
        owner_user = None
        if owner:
            owner_user = get_user_model().objects.filter(username=owner).first()
            if owner_user is None:
                raise CommandError(
                    _("No account is called %(owner)r. Create it with houseboat createuser.")
                    % {"owner": owner}
                )
        with transaction.atomic():
            team = Team.objects.create(name=name, slug=slug)
            if owner_user:
                Membership.objects.create(team=team, user=owner_user, role=Role.OWNER)
            audit(AuditAction.TEAM_CREATED, team=team, target=name, detail="from the command line")
        self.stdout.write(
            self.style.SUCCESS(
                _("Created team %(name)s (%(slug)s).") % {"name": name, "slug": slug}
            )
        )

    def list(self) -> None:
        teams = Team.objects.order_by("slug")
        if not teams:
            self.stdout.write(
                _("No teams yet. Create one: houseboat team create NAME --owner USERNAME")
            )
        for team in teams:
            self.stdout.write(f"{team.slug}\t{team.name}\t{team.memberships.count()} member(s)")

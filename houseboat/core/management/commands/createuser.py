import getpass
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import Role
from houseboat.core.models import Membership, Team


def read_password(options) -> tuple[str, bool]:
    """Return (password, generated?) from --password-file, --generate-password or a prompt."""
    if options["password_file"]:
        path = Path(options["password_file"])
        try:
            return path.read_text(encoding="utf-8").strip(), False
        except OSError as exc:
            raise CommandError(
                _("Cannot read the password file %(path)s: %(strerror)s")
                % {"path": path, "strerror": exc.strerror}
            ) from exc
    if options["generate_password"]:
        return secrets.token_urlsafe(12), True
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError(_("The two passwords differ. Nothing was created."))
    return first, False


class Command(HouseboatCommand):
    help = gettext_lazy("Create a person's account, optionally adding them to a team.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--password-file", help=_("Read the password from this file."))
        group.add_argument(
            "--generate-password",
            action="store_true",
            help=_("Make up a password and print it once."),
        )
        parser.add_argument("--team", help=_("Short name of a team to add the person to."))
        parser.add_argument("--role", choices=Role.values, default=Role.CONTRIBUTOR)

    def handle(self, *args, username: str, team: str | None, role: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                _("The username %(username)r is taken. Nothing was created.")
                % {"username": username}
            )
        team_obj = None
        if team:
            team_obj = Team.objects.filter(slug=team).first()
            if team_obj is None:
                raise CommandError(
                    _("No team is called %(team)r. `houseboat team list` shows them.")
                    % {"team": team}
                )
        password, generated = read_password(options)
        user = User(username=username)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("The password is too weak: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            if team_obj:
                Membership.objects.create(team=team_obj, user=user, role=role)
        where = f" as {role} of {team_obj.name}" if team_obj else ""
        self.stdout.write(self.style.SUCCESS(f"Created {username}{where}."))
        if generated:
            self.stdout.write(_("Password (shown once): %(password)s") % {"password": password})

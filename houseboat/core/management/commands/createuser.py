import getpass
import secrets
from pathlib import Path

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

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
            raise CommandError(f"Cannot read the password file {path}: {exc.strerror}") from exc
    if options["generate_password"]:
        return secrets.token_urlsafe(12), True
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CommandError("The two passwords differ. Nothing was created.")
    return first, False


class Command(HouseboatCommand):
    help = "Create a person's account, optionally adding them to a team."

    def add_arguments(self, parser):
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--password-file", help="Read the password from this file.")
        group.add_argument(
            "--generate-password", action="store_true", help="Make up a password and print it once."
        )
        parser.add_argument("--team", help="Short name of a team to add the person to.")
        parser.add_argument("--role", choices=Role.values, default=Role.CONTRIBUTOR)

    def handle(self, *args, username: str, team: str | None, role: str, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"The username {username!r} is taken. Nothing was created.")
        team_obj = None
        if team:
            team_obj = Team.objects.filter(slug=team).first()
            if team_obj is None:
                raise CommandError(f"No team is called {team!r}. `houseboat team list` shows them.")
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
            self.stdout.write(f"Password (shown once): {password}")

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.core.models import Team
from houseboat.safety.purge import StorageNotRewritten, emergency_purge


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Emergency: erase a team's protected personal data and channel credentials for good."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help=_("Short name of the team."))
        parser.add_argument(
            "--yes-erase-for-good",
            action="store_true",
            help=_("Confirm without a question. There is no undo."),
        )

    def handle(self, *args, team: str, yes_erase_for_good: bool, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(
                _("No team is called %(team)r. `houseboat team list` shows them.") % {"team": team}
            )
        if not yes_erase_for_good:
            if not sys.stdin.isatty():
                raise CommandError(_("Add --yes-erase-for-good to purge without a question."))
            answer = input(
                f"Erase {found.name}'s protected details and credentials? Type the team's short name: "
            )
            if answer.strip() != found.slug:
                raise CommandError(_("Nothing erased."))
        try:
            report = emergency_purge(found)
        except StorageNotRewritten as error:
            raise CommandError(not_rewritten(found, error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Erased %(protected_details)s protected details, %(do_not_name)s do-not-name entries, the credentials of %(channel_credentials)s channels and %(invitations)s invitation links; the database file was rewritten."
                )
                % {
                    "protected_details": report.protected_details,
                    "do_not_name": report.do_not_name,
                    "channel_credentials": report.channel_credentials,
                    "invitations": report.invitations,
                }
            )
        )
        self.stdout.write(
            _("Backups and copies of the data folder still hold the old data: destroy them too.")
        )


def not_rewritten(team: Team, error: StorageNotRewritten) -> str:
    """Say what was done, what was not, what to stop and how to finish."""
    return (
        f"The protected details, do-not-name list, invitations and channel credentials of "
        f"{team.name} are deleted, but their old bytes are still in the database's files "
        f"(houseboat.sqlite3 and houseboat.sqlite3-wal): another program is reading the "
        f"database{f' ({error})' if str(error) else ''}. Stop it: a backup running (sqlite3 .backup), a database "
        f"browser, or another houseboat process (houseboat serve, houseboat worker). Then run "
        f"this again to finish: houseboat purge --team {team.slug} --yes-erase-for-good"
    )

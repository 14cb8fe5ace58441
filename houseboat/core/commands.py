"""What every houseboat management command shares."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def day(value: str) -> date:
    """A YYYY-MM-DD argument, or a CommandError that says how to write it."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(value)r is not a date: write it as YYYY-MM-DD.") % {"value": value}
        ) from None


class HouseboatCommand(BaseCommand):
    """A command that documents the --data-dir option the `houseboat` launcher reads."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        # help is marked with gettext_lazy; argparse wraps the description with a regular
        # expression, which wants a real string, in the language the CLI speaks now.
        self.help = str(self.help)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--data-dir",
            metavar="DIR",
            help=_("Folder that holds houseboat's data (default: $HOUSEBOAT_DATA_DIR)."),
        )
        return parser

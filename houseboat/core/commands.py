"""What every houseboat management command shares."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


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

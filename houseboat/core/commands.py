"""What every houseboat management command shares."""

from django.core.management.base import BaseCommand


class HouseboatCommand(BaseCommand):
    """A command that documents the --data-dir option the `houseboat` launcher reads."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--data-dir",
            metavar="DIR",
            help="Folder that holds houseboat's data (default: $HOUSEBOAT_DATA_DIR).",
        )
        return parser

"""`houseboat verify DIR`: check an export against its manifest and its hashes."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.listening.export import ExportError, verify_export


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Check an archive export: name every file that changed, is missing or was added."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help=_("The folder houseboat export wrote."))

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        try:
            report = verify_export(folder)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        files = len(report.manifest.get("files", {}))
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The export in {folder} is NOT as it was written: "
                f"{len(report.problems):,} problems (above). Manifest SHA-256: "
                f"{report.manifest_sha256}."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"The export in {folder} is intact: {files:,} files, each as the manifest says, "
                "every raw payload and custody record matching its hash."
            )
        )
        self.stdout.write(
            _(
                "Manifest SHA-256: %(manifest_sha256)s. Compare it with the one in the custody record houseboat wrote when it made the export."
            )
            % {"manifest_sha256": report.manifest_sha256}
        )

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.safety.boxes import Box
from houseboat.safety.media import SUPPORTED, CleanReport, MediaError, clean_media


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Remove metadata from photos and videos, and blur faces, before they are published."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{clean}")
        clean = sub.add_parser(
            "clean",
            help=_("Write a copy of a photo or video with no metadata."),
            description=f"Write a copy with no metadata. Handles {SUPPORTED}.",
        )
        clean.add_argument("input", type=Path, help=_("The photo or video to clean."))
        clean.add_argument(
            "output",
            type=Path,
            help=_("Where to write the clean copy; the original is kept as it is."),
        )
        clean.add_argument(
            "--blur-faces",
            action="store_true",
            help=_("Find faces and blur them beyond recovery (pictures only)."),
        )
        clean.add_argument(
            "--blur-region",
            action="append",
            default=[],
            metavar="X0,Y0,X1,Y1",
            help=_("Also blur this rectangle, in pixels of the upright picture; repeat for more."),
        )

    def handle(self, *args, action: str, **options):
        source, target = options["input"], options["output"]
        if target.exists() and source.exists() and target.samefile(source):
            raise CommandError(
                _("OUTPUT must be a different file from INPUT: the original stays as evidence.")
            )
        regions = [parse_region(text) for text in options["blur_region"]]
        try:
            report = clean_media(source, target, blur_faces=options["blur_faces"], regions=regions)
        except MediaError as exc:
            raise CommandError(str(exc)) from None
        self.describe(report, blur_faces=options["blur_faces"], regions=len(regions))

    def describe(self, report: CleanReport, *, blur_faces: bool, regions: int) -> None:
        turned = ", turned upright" if report.rotated else ""
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {report.path} ({report.output_format}{turned}).")
        )
        removed = "; ".join(report.removed) or "nothing was found, and nothing was carried over"
        self.stdout.write(f"Removed: {removed}.")
        if blur_faces:
            if report.faces_found:
                self.stdout.write(
                    _("Blurred %(faces_found)s face(s).") % {"faces_found": report.faces_found}
                )
            else:
                self.stdout.write(_("No face was found."))
            self.stdout.write(
                _(
                    "Look at the picture before publishing: small, turned or masked faces "
                    "can be missed."
                )
            )
        if regions:
            self.stdout.write(
                _("Blurred %(regions)s region(s) given by hand.") % {"regions": regions}
            )
        for note in report.notes:
            self.stdout.write(f"Note: {note}")


def parse_region(text: str) -> Box:
    """Read a region written X0,Y0,X1,Y1 on the command line."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 4:
        raise CommandError(
            _("--blur-region %(text)r: write it as X0,Y0,X1,Y1, e.g. 10,20,110,160.")
            % {"text": text}
        )
    try:
        return Box.from_dict(dict(zip(("x0", "y0", "x1", "y1"), parts, strict=True)))
    except ValueError as exc:
        raise CommandError(f"--blur-region {text!r}: {exc}") from None

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.campaigns.site import export_site
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.services import audit


class Command(HouseboatCommand):
    help = gettext_lazy("Write a campaign's public page and Atom feed as static files.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign", required=True, help=_("The campaign's web address (slug).")
        )
        parser.add_argument("--out", required=True, help=_("Folder to write the site into."))
        parser.add_argument(
            "--url",
            default="",
            help=_(
                "Address where the files will be served, e.g. https://example.org/campaign/ "
                "(makes the feed's links absolute, which some feed readers need)."
            ),
        )

    def handle(self, *args, campaign: str, out: str, url: str, **options):
        try:
            found = find_campaign(campaign)
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        if url and not url.startswith(("https://", "http://")):
            raise CommandError(_("--url must start with https:// (or http://)."))
        out_dir = Path(out).expanduser()
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"{out_dir} is a file, not a folder.")
        try:
            written = export_site(found, out_dir, url)
        except OSError as exc:
            raise CommandError(
                _("Cannot write to %(out_dir)s: %(strerror)s")
                % {"out_dir": out_dir, "strerror": exc.strerror}
            ) from exc
        audit(AuditAction.SITE_EXPORTED, team=found.team, target=found.name, detail=str(out_dir))
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(written_count)s files to %(out_dir)s.")
                % {"written_count": len(written), "out_dir": out_dir}
            )
        )
        if not found.site_public:
            self.stdout.write(
                self.style.WARNING(_("Note: this campaign's public page is off in houseboat."))
            )
        if not url:
            self.stdout.write(_("The feed uses relative links; pass --url for absolute ones."))

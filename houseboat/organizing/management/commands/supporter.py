import json
import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import AuditAction
from houseboat.core.models import Team
from houseboat.core.services import audit
from houseboat.organizing import csvimport, services
from houseboat.organizing.constants import SupporterSource
from houseboat.organizing.erase import erase_supporters, export_supporter
from houseboat.organizing.models import Supporter

LIST_LIMIT = 1000


def find_team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise CommandError(
            _("No team is called %(slug)r. `houseboat team list` shows them.") % {"slug": slug}
        )
    return team


class Command(HouseboatCommand):
    help = gettext_lazy("Add, import, list, export or erase a team's supporters.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{add,import,list,export,erase}"
        )
        add = sub.add_parser("add", help=_("Add one supporter."))
        add.add_argument("--team", required=True, help=_("Short name of the team."))
        add.add_argument("--name", required=True, help=_("Display name (a nickname is safer)."))
        add.add_argument(
            "--handle",
            action="append",
            default=[],
            metavar="NETWORK:HANDLE",
            help=_("A handle, like whatsapp:+447700900123 or x:@name. Repeat for several."),
        )
        add.add_argument(
            "--consent",
            action="append",
            default=[],
            metavar="CHANNEL",
            help=_("A channel they agreed to be contacted on: whatsapp, telegram or email."),
        )
        add.add_argument("--wording", default="", help=_("The words they agreed to."))
        add.add_argument("--language", default="")
        add.add_argument("--area", default="", help=_("In words; never a map position."))
        add.add_argument("--tag", action="append", default=[])
        imp = sub.add_parser("import", help=_("Import supporters from a CSV file."))
        imp.add_argument("--team", required=True)
        imp.add_argument(
            "file",
            help=_(
                "CSV with a header row: name,handles,consent,language,area,tags; "
                "several values in one cell separated by ';'."
            ),
        )
        imp.add_argument("--wording", default="", help=_("The words the people agreed to."))
        for name, text in (
            ("list", "List supporters (by number and display name)."),
            ("export", "Write everything held about a supporter as JSON."),
            ("erase", "Erase a supporter for good, on their request."),
        ):
            one = sub.add_parser(name, help=text)
            one.add_argument("--team", required=True)
            one.add_argument("--name", default="", help=_("Only the supporter(s) of this name."))
            if name == "erase":
                one.add_argument(
                    "--yes", action="store_true", help=_("Confirm without a question.")
                )

    def handle(self, *args, action: str, **options):
        team = find_team(options["team"])
        getattr(self, f"do_{action}")(team, options)

    def do_add(self, team: Team, options) -> None:
        try:
            handles = dict(services.parse_handle(h) for h in options["handle"])
            supporter = services.add_supporter(
                team,
                services.NewSupporter(
                    name=options["name"],
                    handles=handles,
                    consents=options["consent"],
                    language=options["language"],
                    area=options["area"],
                    tags=options["tag"],
                ),
                source=SupporterSource.MANUAL,
                consent_source="houseboat supporter add (command line)",
                wording=options["wording"],
            )
        except services.SupporterError as error:
            raise CommandError(
                _("The supporter was not added. %(error)s") % {"error": error}
            ) from None
        audit(AuditAction.SUPPORTER_ADDED, team=team, target="1 supporter", detail="command line")
        self.stdout.write(self.style.SUCCESS(_("Added supporter %(pk)s.") % {"pk": supporter.pk}))

    def do_import(self, team: Team, options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(strerror)s.")
                % {"path": path, "strerror": error.strerror}
            ) from None
        try:
            report = csvimport.import_supporters(
                team, data, source_name=f"CSV import of {path.name}", wording=options["wording"]
            )
        except csvimport.CSVFileError as error:
            raise CommandError(_("Nothing was imported. %(error)s") % {"error": error}) from None
        audit(
            AuditAction.SUPPORTER_ADDED,
            team=team,
            target=f"{report.added} supporters",
            detail=f"CSV import, {len(report.bad)} rows refused",
        )
        self.stdout.write(
            self.style.SUCCESS(_("Imported %(added)s supporters.") % {"added": report.added})
        )
        if report.bad:
            self.stderr.write(
                _("%(bad_count)s rows were not imported:") % {"bad_count": len(report.bad)}
            )
            for line in report.lines():
                self.stderr.write(f"  {line}")

    def chosen(self, team: Team, name: str):
        people = Supporter.objects.filter(team=team)
        if name:
            people = services.find_by_name(team, name)
        return people.order_by("id")

    def do_list(self, team: Team, options) -> None:
        people = list(self.chosen(team, options["name"])[:LIST_LIMIT])
        if not people:
            self.stdout.write(_("No supporters."))
        for p in people:
            consents = ",".join(sorted(services.active_consents(p))) or "-"
            tags = ",".join(p.tags) or "-"
            self.stdout.write(
                f"{p.pk}\t{p.name}\trung={p.rung}\tconsent={consents}\ttags={tags}"
                + ("\tunsubscribed" if p.unsubscribed_at else "")
            )

    def do_export(self, team: Team, options) -> None:
        people = list(self.chosen(team, options["name"]))
        if not options["name"]:
            raise CommandError(_("Name the supporter to export with --name."))
        if not people:
            raise CommandError(
                _("No supporter of %(slug)s is called %(name)r.")
                % {"slug": team.slug, "name": options["name"]}
            )
        data = [export_supporter(p) for p in people]
        for p in people:
            audit(AuditAction.SUPPORTER_EXPORTED, team=team, target=f"supporter {p.pk}")
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))

    def do_erase(self, team: Team, options) -> None:
        if not options["name"]:
            raise CommandError(_("Name the supporter to erase with --name."))
        people = list(self.chosen(team, options["name"]))
        if not people:
            raise CommandError(
                _("No supporter of %(slug)s is called %(name)r.")
                % {"slug": team.slug, "name": options["name"]}
            )
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(_("Add --yes to erase without a question. There is no undo."))
            answer = input(f"Erase {len(people)} supporter(s) for good? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError(_("Nothing erased."))
        count = erase_supporters(people)
        self.stdout.write(
            self.style.SUCCESS(
                _("Erased %(count)s supporter(s); the database file was rewritten.")
                % {"count": count}
            )
        )
        self.stdout.write(
            _("Backups and copies of the data folder still hold the old data: destroy them too.")
        )

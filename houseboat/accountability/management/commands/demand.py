import sys
from datetime import date
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.accountability import export, imports
from houseboat.accountability.constants import (
    STATES,
    DeadlineKind,
    Progress,
    Verdict,
)
from houseboat.accountability.models import Demand
from houseboat.accountability.services import (
    DemandError,
    Evidence,
    create_demand,
    find_demand,
    find_item,
    record_change,
    state_of,
    with_status,
)
from houseboat.campaigns.models import Campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.constants import Capability
from houseboat.core.models import Membership, User

PREVIEW_PROBLEMS = 50


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(value)r is not a date like 2026-12-31.") % {"value": value}
        ) from None


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Add, import, list, export demands made of the authorities, and record their status."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{add,import,list,status,export}"
        )
        add = sub.add_parser("add", help=_("Add a demand to a campaign's tracker."))
        self.common(add)
        add.add_argument("--title", required=True, help=_("A short title."))
        add.add_argument("--ref", default="", help=_("An outside reference, e.g. a UPR number."))
        add.add_argument("--text", default="", help=_("The demand's words, verbatim."))
        add.add_argument(
            "--target",
            action="append",
            default=[],
            metavar="NAME",
            help=_("An authority it is made of (repeatable; the first is the lead)."),
        )
        add.add_argument("--deadline", default="", help=_("YYYY-MM-DD, if it has one."))
        add.add_argument("--public", action="store_true", help=_("Show it on the public tracker."))

        load = sub.add_parser(
            "import",
            help=_(
                "Import demands from a CSV: houseboat's (ref,title,text,kind,target,deadline), "
                "a UPR Info database export or a UN Human Rights Index export."
            ),
            description="Shows a preview with the counts and every unreadable row with its "
            "line number, then stores the good rows (asking first when run by hand).",
        )
        self.common(load)
        load.add_argument("file", metavar="FILE.csv")
        load.add_argument(
            "--dry-run", action="store_true", help=_("Only show the preview; store nothing.")
        )
        load.add_argument("--yes", action="store_true", help=_("Store without asking."))

        listing = sub.add_parser("list", help=_("List a campaign's demands and their status."))
        self.common(listing, acting=False)

        status = sub.add_parser(
            "status",
            help=_(
                "Record a demand's progress or verdict; a second member reviews it on the "
                "Demands page before it counts."
            ),
        )
        status.add_argument("ref", metavar="REF", help=_("The demand's reference (or number)."))
        self.common(status)
        axis = status.add_mutually_exclusive_group(required=True)
        axis.add_argument("--progress", choices=Progress.values)
        axis.add_argument("--verdict", choices=Verdict.values)
        status.add_argument("--rationale", required=True, help="Why: required.")
        status.add_argument(
            "--evidence",
            action="append",
            default=[],
            metavar="ITEM",
            help=_("An archive item's SHA-256 (repeatable); a verdict needs at least one."),
        )
        status.add_argument("--on", default="", help=_("When it happened, YYYY-MM-DD (today)."))

        out = sub.add_parser("export", help=_("Write a campaign's tracker as CSV or JSON."))
        self.common(out, acting=False)
        out.add_argument("--format", choices=["csv", "json"], default="csv")
        out.add_argument("--output", default="-", help=_("A file to write (default: the screen)."))

    @staticmethod
    def common(parser, *, acting: bool = True) -> None:
        parser.add_argument("--campaign", required=True, help=_("The campaign's web address."))
        parser.add_argument(
            "--team", default="", help=_("The team's short name, if two teams use the address.")
        )
        if acting:
            parser.add_argument(
                "--as",
                dest="username",
                default="",
                metavar="USERNAME",
                help=_("Who records it (a member of the team; the history names them)."),
            )

    def handle(self, *args, action: str, **options):
        campaign = self.campaign(options["campaign"], options["team"])
        user = self.user(campaign, options.get("username", ""))
        try:
            getattr(self, f"do_{action}")(campaign, user, options)
        except (DemandError, imports.ImportFileError) as error:
            raise CommandError(str(error)) from None

    # -- who and where

    def campaign(self, slug: str, team: str) -> Campaign:
        campaigns = Campaign.objects.filter(slug=slug).select_related("team")
        if team:
            campaigns = campaigns.filter(team__slug=team)
        found = list(campaigns[:2])
        if not found:
            raise CommandError(
                _("No campaign is called %(slug)r. `houseboat campaign list` shows them.")
                % {"slug": slug}
            )
        if len(found) > 1:
            raise CommandError(
                _("Two teams have a campaign called %(slug)r: add --team.") % {"slug": slug}
            )
        return found[0]

    def user(self, campaign: Campaign, username: str) -> User | None:
        if not username:
            return None
        membership = Membership.objects.filter(team=campaign.team, user__username=username).first()
        if membership is None:
            raise CommandError(
                _("%(username)r is not a member of the team %(slug)r.")
                % {"username": username, "slug": campaign.team.slug}
            )
        if not membership.can(Capability.DRAFT):
            raise CommandError(
                _("%(username)r is a viewer and cannot record anything.") % {"username": username}
            )
        return membership.user

    # -- the actions

    def do_add(self, campaign: Campaign, user: User | None, options) -> None:
        deadline = iso_date(options["deadline"]) if options["deadline"] else None
        demand = create_demand(
            campaign,
            title=options["title"],
            by=user,
            targets=options["target"],
            ref=options["ref"],
            text=options["text"],
            deadline=deadline,
            deadline_kind=DeadlineKind.EXPLICIT if deadline else DeadlineKind.ABSENT,
            visibility="public" if options["public"] else "team",
            draft=False,
        )
        self.stdout.write(
            _("Added demand %(value)s: %(title)s")
            % {"value": demand.ref or demand.pk, "title": demand.title}
        )

    def do_import(self, campaign: Campaign, user: User | None, options) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(path)s cannot be read: %(strerror)s.")
                % {"path": path, "strerror": error.strerror}
            ) from None
        parsed = imports.read(data, campaign=campaign)
        self.preview(path.name, parsed)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was stored."))
            return
        if not parsed.rows:
            self.stdout.write(_("Nothing to store."))
            return
        if not options["yes"] and sys.stdin.isatty():
            answer = input(f"Store {len(parsed.rows)} demands in {campaign.name}? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                self.stdout.write(_("Nothing was stored."))
                return
        stored = imports.store(parsed, campaign, by=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {plural(len(stored), 'demand')} in {campaign.name} as drafts"
                + (
                    f"; {plural(len(parsed.problems), 'row')} could not be read."
                    if parsed.problems
                    else "."
                )
            )
        )

    def preview(self, name: str, parsed: imports.Parsed) -> None:
        write = self.stdout.write
        write(f"{name}: {parsed.layout_name}, {parsed.encoding}.")
        write(_("  %(plural)s to store") % {"plural": plural(len(parsed.rows), "demand")})
        if parsed.known:
            write(
                _("  %(known_count)s already in the tracker (same reference), left alone")
                % {"known_count": len(parsed.known)}
            )
        write(_("  %(plural)s could not be read") % {"plural": plural(len(parsed.problems), "row")})
        counts = parsed.counts()
        for title, key in (("Responses", "response"), ("Made by", "made_by"), ("Themes", "themes")):
            if counts[key]:
                top = ", ".join(f"{k} {n}" for k, n in counts[key].most_common(5))
                write(f"  {title}: {top}")
        for problem in parsed.problems[:PREVIEW_PROBLEMS]:
            self.stderr.write(f"  {problem}")
        if len(parsed.problems) > PREVIEW_PROBLEMS:
            self.stderr.write(
                _("  … and %(value)s more") % {"value": len(parsed.problems) - PREVIEW_PROBLEMS}
            )
        for note in parsed.notes[:PREVIEW_PROBLEMS]:
            write(f"  note, {note}")

    def do_list(self, campaign: Campaign, user: User | None, options) -> None:
        demands = with_status(Demand.objects.filter(campaign=campaign)).order_by("pk")
        if not demands:
            self.stdout.write(_("No demands in %(name)s yet.") % {"name": campaign.name})
        for demand in demands:
            deadline = demand.deadline.isoformat() if demand.deadline else "-"
            self.stdout.write(
                f"{demand.ref or demand.pk}\t{STATES[state_of(demand)]}\t"
                f"deadline {deadline}\t{demand.title}"
            )

    def do_status(self, campaign: Campaign, user: User | None, options) -> None:
        demand = find_demand(campaign, options["ref"])
        evidence = [Evidence(find_item(campaign, ref)) for ref in options["evidence"]]
        change = record_change(
            demand,
            progress=options["progress"] or "",
            verdict=options["verdict"] or "",
            rationale=options["rationale"],
            happened_on=iso_date(options["on"]) if options["on"] else None,
            evidence=evidence,
            by=user,
        )
        self.stdout.write(
            _(
                "Recorded %(state_label)s for %(value)s. It counts once another member reviews it on the Demands page."
            )
            % {"state_label": change.state_label, "value": demand.ref or demand.pk}
        )

    def do_export(self, campaign: Campaign, user: User | None, options) -> None:
        demands = export.prepared(Demand.objects.filter(campaign=campaign).order_by("pk"))
        if options["format"] == "json":
            text = export.to_json(demands, campaign=campaign)
        else:
            text = export.to_csv(demands)
        if options["output"] == "-":
            self.stdout.write(text, ending="")
        else:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(
                _("Wrote %(demands_count)s demands to %(output)s.")
                % {"demands_count": len(demands), "output": options["output"]}
            )

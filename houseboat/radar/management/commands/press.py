"""`houseboat press`: the press feeds a team follows for the counter-narrative radar."""

from __future__ import annotations

from django.core.management.base import CommandError

from houseboat.core.commands import HouseboatCommand
from houseboat.core.models import Team
from houseboat.radar import fetching
from houseboat.radar.constants import SourceKind
from houseboat.radar.forms import PressSourceForm
from houseboat.radar.models import PressSource
from houseboat.radar.sources import collection_named, sources_by_collection


def find_team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise CommandError(f"No team is called {slug!r}. `houseboat team list` shows them.")
    return team


def find_source(pk: str, team: Team | None = None) -> PressSource:
    found = PressSource.objects.filter(pk=pk) if pk.isdigit() else PressSource.objects.none()
    if team is not None:
        found = found.filter(team=team)
    source = found.first()
    if source is None:
        raise CommandError(
            f"No press source has the number {pk}. `houseboat press list` shows them."
        )
    return source


class Command(HouseboatCommand):
    help = "Add, list, fetch or resume the press feeds a team follows (the radar's press side)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,list,fetch,resume}")
        add = sub.add_parser("add", help="Follow a press feed (RSS or Atom).")
        add.add_argument("--team", required=True, help="The team's short name.")
        add.add_argument("--name", required=True, help="The outlet's name.")
        add.add_argument("--feed", required=True, help="The feed's address.")
        add.add_argument("--site", default="", help="The outlet's web site.")
        add.add_argument("--collection", default="", help="A group, e.g. “State media”.")
        add.add_argument("--country", default="", help="Two letters (ISO 3166), e.g. FR.")
        add.add_argument("--language", default="", help="Two letters (ISO 639-1), e.g. ar.")
        add.add_argument("--kind", default=SourceKind.OTHER, choices=SourceKind.values)
        add.add_argument(
            "--allow-private-network",
            action="store_true",
            help="Let the feed's address be on this machine or its network (your own server).",
        )
        listing = sub.add_parser("list", help="List a team's press sources and how they fare.")
        listing.add_argument("--team", required=True)
        fetch = sub.add_parser("fetch", help="Fetch a team's press feeds now, due or not.")
        fetch.add_argument("--team", required=True)
        fetch.add_argument("--source", default="", help="Only this source (its number).")
        resume = sub.add_parser("resume", help="Read a paused source again.")
        resume.add_argument("source", help="The source's number (see `houseboat press list`).")

    def handle(self, *args, action: str, **options):
        if action == "resume":
            self.resume(find_source(options["source"]))
            return
        team = find_team(options["team"])
        {"add": self.add, "list": self.list, "fetch": self.fetch}[action](team, options)

    def add(self, team: Team, options) -> None:
        form = PressSourceForm(
            {
                "name": options["name"],
                "feed_url": options["feed"],
                "site_url": options["site"],
                "country": options["country"],
                "language": options["language"],
                "kind": options["kind"],
            },
            team=team,
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(f"The press source was not added. {problems}")
        source = form.save(commit=False)
        source.team = team
        source.collection = collection_named(team, options["collection"])
        source.allow_private_network = options["allow_private_network"]
        source.save()
        where = f" in {source.collection.name}" if source.collection else ""
        self.stdout.write(
            self.style.SUCCESS(f"Added press source {source.pk}: {source.name}{where}")
        )

    def list(self, team: Team, options) -> None:
        groups = sources_by_collection(team)
        if not groups:
            self.stdout.write("No press sources. `houseboat press add` follows one.")
        for collection, sources in groups:
            self.stdout.write(collection.name if collection else "Not in a collection")
            for source in sources:
                self.stdout.write("  " + line(source))

    def fetch(self, team: Team, options) -> None:
        if options["source"]:
            sources = [find_source(options["source"], team)]
        else:
            sources = list(team.press_sources.filter(state="active").order_by("id"))
        if not sources:
            self.stdout.write("No active press sources to fetch.")
        failed = 0
        for source in sources:
            outcome = fetching.fetch_now(source)
            self.stdout.write(f"{source.pk}\t{source.name}: {outcome_text(outcome)}")
            failed += outcome.result in ("failed", "paused", "lost")
        if failed and len(sources) == 1:
            raise CommandError("The fetch did not succeed (see above).")

    def resume(self, source: PressSource) -> None:
        if not source.paused:
            self.stdout.write(f"Press source {source.pk} is not paused.")
            return
        fetching.resume(source)
        self.stdout.write(self.style.SUCCESS(f"Resumed press source {source.pk}: {source.name}"))


def line(source: PressSource) -> str:
    """One source as the list shows it: number, name, state, counts, and the reason if paused."""
    fetched = f"{source.last_fetched_at:%Y-%m-%d %H:%M} UTC" if source.last_fetched_at else "never"
    parts = [
        str(source.pk),
        source.name,
        source.state,
        f"last fetched {fetched}",
        f"{source.failures} failures",
        f"{source.story_count} stories",
        f"{source.edited_count} edited after publication",
        source.feed_url,
    ]
    if source.paused and source.paused_reason:
        parts.append(f"paused: {source.paused_reason}")
    elif source.last_error:
        parts.append(f"last error: {source.last_error}")
    return "\t".join(parts)


def outcome_text(outcome: fetching.Outcome) -> str:
    if outcome.result == "stored":
        return f"{outcome.new} new stories, {outcome.edited} edited"
    if outcome.result == "not-modified":
        return "not modified since the last fetch"
    if outcome.result == "unchanged":
        return "unchanged since the last fetch"
    return f"{outcome.result}: {outcome.message}"

"""`houseboat radar --campaign SLUG --from DAY --to DAY`: the press and the archive on one issue."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.core.management.base import CommandError

from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.daterange import OUT_OF_RANGE, in_range
from houseboat.radar.compare import (
    Comparison,
    Side,
    compare,
    comparison_tables,
    how_long,
    table_csv,
)
from houseboat.radar.models import IssueQuery

SHOWN_TERMS = 10


def day(value: str, flag: str) -> date:
    try:
        found = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date: write it as YYYY-MM-DD.") from None
    if not in_range(found):
        raise CommandError(f"{flag} {value}: {OUT_OF_RANGE}")
    return found


def period(start_day: date, end_day: date) -> tuple[datetime, datetime]:
    """Return [start of the first day, start of the day after the last) in UTC."""
    if end_day < start_day:
        raise CommandError(f"--to {end_day} is before --from {start_day}: swap them.")
    start = datetime.combine(start_day, time(), tzinfo=UTC)
    return start, datetime.combine(end_day + timedelta(days=1), time(), tzinfo=UTC)


def split_terms(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


class Command(HouseboatCommand):
    help = "Compare the press and the archive on a campaign's issue over a period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign",
            required=True,
            help="The campaign: SLUG, or TEAM/SLUG if two teams use it.",
        )
        parser.add_argument(
            "--from", dest="start", required=True, help="First day, YYYY-MM-DD (UTC)."
        )
        parser.add_argument("--to", dest="end", required=True, help="Last day, included.")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--query", help="Name of the campaign's issue query (default: its newest)."
        )
        which.add_argument(
            "--terms",
            help='Keywords and #hashtags separated by commas, instead of a saved query: "riot,#vigil".',
        )
        parser.add_argument("--csv", metavar="DIR", help="Also write every table as DIR/NAME.csv.")

    def handle(self, *args, **options):
        start, end = period(day(options["start"], "--from"), day(options["end"], "--to"))
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        query = self.issue(campaign, options["query"], options["terms"])
        comparison = compare(query, start, end)
        self.write(comparison, campaign.slug)
        if options["csv"]:
            self.write_csv(comparison, Path(options["csv"]))

    def issue(self, campaign, name: str | None, terms: str | None) -> IssueQuery:
        if terms is not None:
            words = split_terms(terms)
            if not words:
                raise CommandError("--terms holds no keyword or #hashtag.")
            return IssueQuery(campaign=campaign, name="(--terms)", terms=words)
        queries = IssueQuery.objects.filter(campaign=campaign).order_by("-created_at", "-id")
        if name:
            found = queries.filter(name=name).first()
            if found is None:
                names = ", ".join(repr(q.name) for q in queries[:10]) or "none yet"
                raise CommandError(
                    f"{campaign.slug} has no issue query called {name!r} (it has: {names})."
                )
            return found
        newest = queries.first()
        if newest is None:
            raise CommandError(
                f"{campaign.slug} has no issue query yet: add one on the campaign's Radar page, "
                'or give the words with --terms "keyword,#hashtag".'
            )
        return newest

    def write(self, comparison: Comparison, slug: str) -> None:
        out = self.stdout.write
        query = comparison.query
        last_day = (comparison.end - timedelta(days=1)).date()
        out(
            f"Radar: {query.name} ({', '.join(query.terms)}) in {slug}, "
            f"{comparison.start.date()} to {last_day} (UTC)"
        )
        out("")
        for sentence in comparison.sentences:
            out(sentence)
        out("")
        press, social = comparison.press, comparison.social
        out(f"{'':<16}{'press':<32}social")
        for label, get in (
            ("on the issue", lambda s: f"{s.matched:,}"),
            ("collected", lambda s: f"{s.collected:,}"),
            ("share", lambda s: f"{s.share:.1%}"),
            ("first mention", first_mention),
        ):
            out(f"{label:<16}{get(press):<32}{get(social)}")
        out("")
        out("Volume per day (on the issue / collected)")
        for p, s in zip(press.days, social.days, strict=True):
            out(
                f"  {p.date}  press {p.matched:>6,}/{p.collected:<8,} {p.share:>6.1%}   "
                f"social {s.matched:>7,}/{s.collected:<9,} {s.share:>6.1%}"
            )
        for side in (press, social):
            out("")
            out(f"Distinctive words, {side.name} (z-score, count)")
            if not side.distinctive:
                out("  none")
            for term in side.distinctive[:SHOWN_TERMS]:
                out(f"  {term.term:<28} z={term.z:6.2f}  {term.count:>6,}")
        out("")
        lead = comparison.lead
        out(
            "Lead: "
            + (
                f"{lead.side}, by {how_long(lead.by)}"
                if lead
                else "none (one side is silent, or a tie)"
            )
        )
        if comparison.crossing_links:
            out("")
            out("Links that crossed sides")
            for c in comparison.crossing_links[:SHOWN_TERMS]:
                gap = how_long(c.other_at - c.first_at) if c.other_at > c.first_at else "no time"
                out(f"  {c.url}  first in the {c.first_side}, {gap} before the other side")

    def write_csv(self, comparison: Comparison, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tables = comparison_tables(comparison)
            for name, (header, rows) in tables.items():
                (folder / f"{name}.csv").write_text(table_csv(header, rows), encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Could not write the tables to {folder}: {error.strerror}."
            ) from None
        self.stdout.write("")
        self.stdout.write(f"Wrote {len(tables)} tables to {folder}: {', '.join(tables)} (.csv).")


def first_mention(side: Side) -> str:
    if side.first_mention is None:
        return "-"
    return f"{side.first_mention:%Y-%m-%d %H:%M} {side.first_mention_by}"

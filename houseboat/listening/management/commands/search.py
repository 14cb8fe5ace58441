"""`houseboat search QUERY --campaign SLUG [filters]`: search a campaign's archive from a terminal."""

import json
from datetime import date

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.campaigns.models import Campaign
from houseboat.campaigns.services import CampaignNotFound, find_campaign
from houseboat.core.commands import HouseboatCommand
from houseboat.core.daterange import OUT_OF_RANGE, in_range
from houseboat.listening.search import SearchResults, search


def day(value: str) -> date:
    try:
        found = date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(value)r is not a date: write it as YYYY-MM-DD.") % {"value": value}
        ) from None
    if not in_range(found):
        raise CommandError(f"{value}: {OUT_OF_RANGE}")
    return found


class Command(HouseboatCommand):
    help = gettext_lazy("Search a campaign's archive, with the same filters as the Archive page.")

    def add_arguments(self, parser):
        parser.add_argument(
            "query",
            metavar="QUERY",
            nargs="?",
            default="",
            help=_('Words that must all appear; "a phrase", OR, -word to leave out.'),
        )
        parser.add_argument("--campaign", required=True, help=_("Web address of the campaign."))
        parser.add_argument("--network", help=_("Only this network (x, mastodon, telegram, …)."))
        parser.add_argument("--author", help=_("Only posts by this handle or account id."))
        parser.add_argument("--hashtag", help=_("Only posts with this hashtag."))
        parser.add_argument("--since", type=str, help=_("From this day on (YYYY-MM-DD, UTC)."))
        parser.add_argument("--until", type=str, help=_("Up to and including this day."))
        media = parser.add_mutually_exclusive_group()
        media.add_argument("--has-media", dest="has_media", action="store_true", default=None)
        media.add_argument("--no-media", dest="has_media", action="store_false")
        parser.add_argument("--language", help=_("Only this language (en, ar, es, …)."))
        parser.add_argument("--page", type=int, default=1, help=_("Which page of 25 results."))
        parser.add_argument(
            "--json", action="store_true", help=_("One JSON object per result, for scripts.")
        )

    def handle(self, *args, **options):
        try:
            campaign = find_campaign(options["campaign"])
        except CampaignNotFound as error:
            raise CommandError(str(error)) from None
        results = search(
            campaign,
            options["query"],
            network=options["network"],
            author=options["author"],
            hashtag=options["hashtag"],
            since=day(options["since"]) if options["since"] else None,
            until=day(options["until"]) if options["until"] else None,
            has_media=options["has_media"],
            language=options["language"],
            page=max(1, options["page"]),
        )
        if options["json"]:
            self.write_json(results)
        else:
            self.write_text(results, campaign)

    def write_text(self, results: SearchResults, campaign: Campaign) -> None:
        if results.notice:
            self.stderr.write(results.notice)
        page = results.page
        self.stdout.write(
            ("More than " if results.capped else "")
            + f"{results.total:,} items in {campaign.slug} match"
            + (f" (page {page.number} of {page.paginator.num_pages})." if results.total else ".")
        )
        for item in results.items:
            when = f"{item.created_at:%Y-%m-%d %H:%M}" if item.created_at else "????-??-?? ??:??"
            who = f"@{item.author.handle}" if item.author and item.author.handle else "-"
            text = " ".join(item.text.split())
            if len(text) > 200:
                text = text[:199] + "…"
            self.stdout.write(f"{when}  {item.network:<9} {who}\n  {text}")
            if item.url:
                self.stdout.write(f"  {item.url}")

    def write_json(self, results: SearchResults) -> None:
        for item in results.items:
            row = {
                "network": item.network,
                "remote_id": item.remote_id,
                "url": item.url,
                "created_at": item.created_at.isoformat() if item.created_at else None,
                "author": item.author.handle if item.author else None,
                "text": item.text,
                "language": item.language,
                "hashtags": item.hashtags,
                "has_media": item.has_media,
            }
            self.stdout.write(json.dumps(row, ensure_ascii=False))

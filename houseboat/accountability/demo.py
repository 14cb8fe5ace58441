"""The demo campaign's demand tracker: demands in every state, each verdict on evidence.

The evidence is archived the way a team would archive it: the authorities' and the
press's posts are written as an X API v2 search page (as twarc2 saves it) and
brought in by the real importer, so every verdict points at an item with its
SHA-256 and custody record. Everything here is invented.
"""

# ruff: noqa: RUF001 -- words in the languages the campaign follows are the point here

from __future__ import annotations

import json
import tempfile
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from houseboat.accountability import monitoring
from houseboat.accountability.constants import (
    DeadlineKind,
    Decision,
    DemandKind,
    Progress,
    Response,
    TargetKind,
    TermKind,
    Verdict,
    Visibility,
)
from houseboat.accountability.models import Cluster, Demand, Target, Term
from houseboat.accountability.services import (
    Evidence,
    create_demand,
    link_evidence,
    record_change,
    record_response,
    review,
)
from houseboat.campaigns.models import Campaign
from houseboat.core.models import Membership, User
from houseboat.listening.demo import iso_z
from houseboat.listening.imports import run_import
from houseboat.listening.models import Item

ACCOUNTS = {
    "ministry": ("1600000000000000101", "justice_pv", "Ministry of Justice, Port Verene"),
    "times": ("1600000000000000102", "pvtimes", "Port Verene Times"),
    "courier": ("1600000000000000103", "riversidecourier", "Riverside Courier"),
}

# (key, account, hours ago, text)
EVIDENCE_POSTS = [
    (
        "accr",
        "times",
        1100,
        "Press accreditation of the Riverside Courier's staff has been restored by the "
        "Interior Ministry after a two-month suspension.",
    ),
    (
        "lawyers",
        "ministry",
        400,
        "The Ministry of Justice confirms that lawyers will be granted access to all ten "
        "detainees held under the Public Order Act from Monday.",
    ),
    (
        "hearing",
        "ministry",
        600,
        "Minister Dost: the ten Courier reporters will be brought before a judge by 30 November.",
    ),
    (
        "visits",
        "times",
        260,
        "Families of the Riverside Ten were allowed to visit for the first time this week; "
        "only four of the ten families were let in.",
    ),
    (
        "shelved",
        "times",
        150,
        "Parliament's legal committee has shelved the repeal of the Public Order Act's "
        "detention article without a date for a vote.",
    ),
    (
        "withdrawn",
        "courier",
        90,
        "Our reporters' press accreditation, restored in October, was withdrawn again today.",
    ),
    (
        "nohearing",
        "times",
        60,
        "The hearing promised for 30 November did not take place. The Ministry of Justice "
        "gave no new date for the Riverside Ten.",
    ),
]


def evidence_page(now) -> bytes:
    """One twarc2 search page with the authorities' and the press's posts."""
    tweets = [
        {
            "id": f"18630000000000{n:05d}",
            "text": text,
            "author_id": ACCOUNTS[who][0],
            "created_at": iso_z(now - timedelta(hours=hours)),
            "conversation_id": f"18630000000000{n:05d}",
            "lang": "en",
            "edit_history_tweet_ids": [f"18630000000000{n:05d}"],
            "public_metrics": {
                "retweet_count": 40,
                "reply_count": 5,
                "like_count": 90,
                "quote_count": 2,
            },
        }
        for n, (_key, who, hours, text) in enumerate(EVIDENCE_POSTS, start=1)
    ]
    page = {
        "data": tweets[::-1],
        "includes": {
            "users": [
                {"id": rid, "username": handle, "name": name}
                for rid, handle, name in ACCOUNTS.values()
            ]
        },
        "meta": {"result_count": len(tweets)},
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/recent?query=riverside",
            "version": "2.14.0",
            "retrieved_at": now.isoformat(),
        },
    }
    return json.dumps(page, ensure_ascii=False).encode("utf-8") + b"\n"


def archive_evidence(campaign: Campaign, actor: User | None) -> dict[str, Item]:
    """Import the evidence posts and return them by key."""
    now = timezone.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="houseboat-demo-evidence-") as tmp:
        path = Path(tmp) / "authorities-and-press.jsonl"
        path.write_bytes(evidence_page(now))
        run_import(campaign=campaign, format="x-ndjson", path=path, actor=actor)
    items = {}
    for n, (key, *_rest) in enumerate(EVIDENCE_POSTS, start=1):
        items[key] = Item.objects.get(
            campaign=campaign, network="x", remote_id=f"18630000000000{n:05d}"
        )
    return items


def vocabulary(campaign: Campaign) -> dict[str, Term | Target | Cluster]:
    team = campaign.team
    terms: dict = {}
    for kind, parent, names in (
        (TermKind.THEME, "Detention", ["Detention without charge", "Access to a lawyer"]),
        (TermKind.THEME, "Freedom of expression", ["Press freedom"]),
        (TermKind.GROUP, "Journalists", []),
        (TermKind.GROUP, "Families of detainees", []),
    ):
        top = Term.objects.create(team=team, kind=kind, name=parent)
        terms[parent] = top
        for name in names:
            terms[name] = Term.objects.create(team=team, kind=kind, name=name, parent=top)
    Target.objects.create(
        team=team,
        name="Ministry of Justice",
        kind=TargetKind.INSTITUTION,
        handles="@justice_pv",
    )
    Target.objects.create(team=team, name="Karel Dost, Minister of Justice", kind=TargetKind.PERSON)
    terms["cluster"] = Cluster.objects.create(team=team, name="Release and fair trial")
    return terms


def seed_demands(campaign: Campaign, people: dict[str, User]) -> list[Demand]:
    """Fill the campaign's tracker: every progress and verdict, responses, reviews."""
    owner, editor, contributor = people["amina"], people["daniel"], people["lucia"]
    reviewer = Membership.objects.get(team=campaign.team, user=editor)
    owner_review = Membership.objects.get(team=campaign.team, user=owner)
    items = archive_evidence(campaign, owner)
    terms = vocabulary(campaign)
    today = timezone.localdate()

    def on(key: str):
        return timezone.localdate(items[key].created_at)

    def demand(ref, title, *, themes=(), groups=(), **fields) -> Demand:
        made = create_demand(
            campaign,
            title=title,
            ref=ref,
            by=owner,
            draft=False,
            visibility=fields.pop("visibility", Visibility.PUBLIC),
            **fields,
        )
        made.themes.set([terms[t] for t in themes])
        made.groups.set([terms[g] for g in groups])
        return made

    def approved(entry, by=reviewer):
        review(entry, membership=by, decision=Decision.APPROVED)
        return entry

    def proof(key: str, public: str) -> list[Evidence]:
        return [Evidence(items[key], public_excerpt=public)]

    made = []
    release = demand(
        "RT-1",
        "Release the ten, or charge them before a judge",
        text="Release the ten journalists of the Riverside Courier, or charge them before a "
        "judge, by 31 December.",
        targets=["Ministry of Justice", "Public Prosecutor's Office"],
        raised_on=today - timedelta(days=60),
        deadline=today + timedelta(days=24),
        deadline_kind=DeadlineKind.EXPLICIT,
        specificity=5,
        themes=["Detention without charge"],
        groups=["Journalists"],
        monitor_terms="Riverside Ten\nالصحفيين العشرة\nDiez periodistas",
    )
    release.clusters.add(terms["cluster"])
    approved(
        record_change(
            release,
            progress=Progress.IN_PROGRESS,
            happened_on=today - timedelta(days=20),
            rationale="A written question was tabled in Parliament and the Ministry has answered "
            "that the files are under review.",
            by=owner,
        )
    )
    approved(
        record_response(
            release,
            response=Response.ACKNOWLEDGED,
            responded_on=today - timedelta(days=40),
            quote="The Ministry takes note of the concerns raised about the detained reporters.",
            by=owner,
        )
    )
    made.append(release)

    lawyers = demand(
        "RT-2",
        "Lawyers for all ten within a week",
        targets=["Ministry of Justice"],
        raised_on=today - timedelta(days=45),
        deadline=today - timedelta(days=38),
        deadline_kind=DeadlineKind.EXPLICIT,
        specificity=5,
        themes=["Access to a lawyer"],
        groups=["Journalists"],
    )
    approved(
        record_response(
            lawyers,
            response=Response.SUPPORTED,
            responded_on=on("lawyers"),
            quote="Lawyers will be granted access to all ten detainees from Monday.",
            by=owner,
        )
    )
    approved(
        record_change(
            lawyers,
            verdict=Verdict.IMPLEMENTED,
            happened_on=on("lawyers") + timedelta(days=3),
            rationale="All ten have met a lawyer: the Ministry announced it and the families "
            "confirmed the visits.",
            evidence=proof("lawyers", "Lawyers will be granted access to all ten detainees."),
            by=owner,
        )
    )
    made.append(lawyers)

    visits = demand(
        "RT-3",
        "Family visits every week",
        targets=["Ministry of Justice"],
        raised_on=today - timedelta(days=45),
        deadline_kind=DeadlineKind.IMPLIED,
        specificity=4,
        groups=["Families of detainees"],
    )
    approved(
        record_change(
            visits,
            verdict=Verdict.PARTLY_IMPLEMENTED,
            happened_on=on("visits"),
            rationale="Visits began, but only four of the ten families were let in.",
            evidence=proof("visits", "Only four of the ten families were let in."),
            by=owner,
        )
    )
    made.append(visits)

    hearing = demand(
        "RT-4",
        "Bring the ten before a judge by 30 November",
        kind=DemandKind.PROMISE,
        made_by="Karel Dost, Minister of Justice",
        text="The ten Courier reporters will be brought before a judge by 30 November.",
        targets=["Karel Dost, Minister of Justice", "Ministry of Justice"],
        raised_on=on("hearing"),
        deadline=today - timedelta(days=3),
        deadline_kind=DeadlineKind.EXPLICIT,
        specificity=5,
        themes=["Detention without charge"],
        origin_item=items["hearing"],
        origin_sha256=items["hearing"].raw_sha256,
        origin_quote="the ten Courier reporters will be brought before a judge by 30 November",
    )
    approved(
        record_change(
            hearing,
            verdict=Verdict.BROKEN,
            happened_on=on("nohearing"),
            rationale="The promised date passed without a hearing and no new date was given.",
            evidence=proof("nohearing", "The hearing promised for 30 November did not take place."),
            by=owner,
        )
    )
    made.append(hearing)

    repeal = demand(
        "RT-5",
        "Repeal Article 41 of the Public Order Act",
        targets=["Parliament of Port Verene", "Ministry of Justice"],
        raised_on=today - timedelta(days=60),
        deadline_kind=DeadlineKind.ABSENT,
        specificity=5,
        themes=["Detention without charge", "Press freedom"],
        monitor_terms="Article 41\nالمادة 41\nArtículo 41",
    )
    approved(
        record_response(
            repeal,
            response=Response.NOTED,
            responded_on=today - timedelta(days=30),
            quote="The Government notes the proposal and will consider it in due course.",
            by=owner,
        )
    )
    approved(
        record_change(
            repeal,
            progress=Progress.STALLED,
            happened_on=on("shelved"),
            rationale="The committee shelved the repeal bill without a date for a vote.",
            evidence=proof(
                "shelved", "The committee shelved the repeal without a date for a vote."
            ),
            by=owner,
        )
    )
    made.append(repeal)

    accreditation = demand(
        "RT-6",
        "Restore the Courier staff's press accreditation",
        targets=["Interior Ministry"],
        raised_on=today - timedelta(days=60),
        deadline_kind=DeadlineKind.IMPLIED,
        specificity=5,
        themes=["Press freedom"],
        groups=["Journalists"],
    )
    approved(
        record_change(
            accreditation,
            verdict=Verdict.IMPLEMENTED,
            happened_on=on("accr"),
            rationale="The Interior Ministry restored the accreditation.",
            evidence=proof("accr", "Press accreditation has been restored."),
            by=owner,
        )
    )
    approved(
        record_change(
            accreditation,
            verdict=Verdict.REVERSED,
            happened_on=on("withdrawn"),
            rationale="The accreditation was withdrawn again, two months after it was restored.",
            evidence=proof("withdrawn", "Press accreditation was withdrawn again."),
            by=owner,
        )
    )
    made.append(accreditation)

    upr = demand(
        "A/HRC/55/9 para. 112.45",
        "Ensure no journalist is detained for their work",
        kind=DemandKind.RECOMMENDATION,
        made_by="Norway (Universal Periodic Review, 4th cycle)",
        text="Ensure that no journalist is detained for the exercise of their profession and "
        "release those currently held for their reporting.",
        targets=["Government of Port Verene"],
        raised_on=today - timedelta(days=300),
        deadline_kind=DeadlineKind.IMPLIED,
        specificity=4,
        themes=["Press freedom"],
        groups=["Journalists"],
        source={"layout": "upr-info", "cycle": "4", "session": "46"},
    )
    approved(
        record_response(
            upr,
            response=Response.SUPPORTED,
            responded_on=today - timedelta(days=200),
            quote="Port Verene supports recommendation 112.45 (A/HRC/55/9/Add.1).",
            by=owner,
        )
    )
    made.append(upr)

    inquiry = demand(
        "RT-7",
        "An independent inquiry into the arrests",
        targets=["Ministry of Justice"],
        raised_on=today - timedelta(days=50),
        deadline=today - timedelta(days=10),
        deadline_kind=DeadlineKind.IMPLIED,
        specificity=3,
        visibility=Visibility.TEAM,
    )
    approved(
        record_change(
            inquiry,
            progress=Progress.IN_PROGRESS,
            happened_on=today - timedelta(days=25),
            rationale="The Ombudsman said she is gathering testimony.",
            by=editor,
        ),
        by=owner_review,
    )
    made.append(inquiry)

    contracts = demand(
        "RT-8",
        "Publish the harbour contracts the Courier reported on",
        targets=["Port Verene Harbour Authority"],
        raised_on=today - timedelta(days=5),
        visibility=Visibility.PRIVATE,
    )
    contracts.draft = True
    contracts.save(update_fields=["draft"])
    record_change(
        contracts,
        progress=Progress.IN_PROGRESS,
        rationale="A city councillor asked for them at the last council meeting.",
        by=contributor,
    )
    made.append(contracts)

    # Waiting for a second member: what the demo's organiser can review.
    record_response(
        release,
        response=Response.REJECTED,
        responded_on=today - timedelta(days=2),
        quote="The Ministry will not interfere in ongoing investigations.",
        by=contributor,
    )
    link_evidence(release, [Evidence(items["nohearing"])], by=contributor)
    monitoring.watch_archive("demo")
    return made

"""The demo's organising work: an event posted with tracked links, RSVPs and check-ins,
a petition and a donation ask, a ladder with people who moved and people who stalled,
a follow-up that went out and one waiting to be sent. Everyone in it is invented.

Nothing here reaches a network: the demo's channels have no working credentials, the
post is recorded as sent, and the follow-up waiting in draft goes by e-mail only (the
demo writes e-mails to a folder, see settings).
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.connectors.models import Channel
from houseboat.core.models import Membership, User
from houseboat.organizing import links, services
from houseboat.organizing.constants import (
    ActionKind,
    FollowUpState,
    MessageState,
    ResponseKind,
    ResponseSource,
    SupporterSource,
)
from houseboat.organizing.models import (
    CallToAction,
    FollowUp,
    FollowUpMessage,
    Response,
    Segment,
    Supporter,
)
from houseboat.publishing import services as publishing
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post

FIRST = [
    "Amal", "Bruno", "Chiara", "Dayo", "Esra", "Farid", "Gloria", "Hana", "Iker", "Jun",
    "Kemal", "Leila", "Marta", "Nadia", "Omar", "Pilar", "Quynh", "Rania", "Sami", "Tomas",
    "Umi", "Vera", "Wale", "Xenia", "Yusuf", "Zeynep", "Ade", "Bea", "Cyrus", "Dalia",
]  # fmt: skip
AREAS = ["Old town", "North bank", "Harbour district", "University quarter", "Riverside"]
TAGS = ["students", "journalists", "families", "unions", "lawyers"]
WORDING = "You may write to me about the Riverside Ten campaign. I can stop this at any time."


def demo_channel(team, network: str, name: str, **fields) -> Channel:
    """Reuse the demo's channel on this network, or add one with no working credentials."""
    found = Channel.objects.filter(team=team, network=network).first()
    return found or Channel.objects.create(team=team, network=network, name=name, **fields)


def sent_post(campaign: Campaign, editor: Membership, text: str, channels, when: datetime) -> Post:
    """A post recorded as sent on its channels (the demo reaches no network)."""
    post = publishing.create_post(
        membership=editor,
        campaign=campaign,
        text=text,
        channels=channels,
        own_site=False,
        scheduled_at=timezone.now() + timedelta(days=30),
    )
    publishing.schedule(editor, post)
    Delivery.objects.filter(variant__post=post).update(
        state=DeliveryState.SENT, sent_at=when, due_at=when
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.SENT, scheduled_at=when)
    return post


def make_people(team, campaign, rng: random.Random, now: datetime) -> list[Supporter]:
    people = []
    for i, first in enumerate(FIRST * 2):
        name = f"{first} {chr(65 + i % 26)}." if i >= len(FIRST) else first
        handles, consents = {}, []
        if i % 3 == 0:
            handles["whatsapp"] = f"+4477009{i:05d}"
            consents.append("whatsapp")
        if i % 3 == 1:
            handles["telegram"] = str(700100200 + i)
            consents.append("telegram")
        if i % 2 == 0:
            handles["email"] = f"{first.lower()}{i}@example.org"
            consents.append("email")
        if i % 7 == 6:
            consents = []  # added from the archive: no consent yet
        supporter = services.add_supporter(
            team,
            services.NewSupporter(
                name=name,
                handles=handles,
                consents=consents,
                language=rng.choice(["en", "en", "fr", "ar"]),
                area=rng.choice(AREAS),
                tags=rng.sample(TAGS, k=rng.randint(0, 2)),
            ),
            source=SupporterSource.ARCHIVE if i % 7 == 6 else SupporterSource.SIGNUP,
            consent_source=f"sign-up form of {campaign.name}",
            wording=WORDING,
            campaign=campaign,
        )
        Supporter.objects.filter(pk=supporter.pk).update(
            created_at=now - timedelta(days=45 - i % 10)
        )
        people.append(supporter)
    return people


def answer(supporter, action, kind, when, link=None, **extra) -> Response:
    return services.record_response(
        supporter,
        action=action,
        kind=kind,
        source=ResponseSource.PUBLIC_PAGE if link else ResponseSource.ORGANISER,
        link=link,
        channel=link.channel if link else None,
        post=link.post if link else None,
        created_at=when,
        **extra,
    )


@transaction.atomic
def seed_organizing(campaign: Campaign, owner: User) -> None:
    """Add the organising story to the demo campaign."""
    team, now, rng = campaign.team, timezone.now(), random.Random(17)  # noqa: S311 (sample data)
    editor = Membership.objects.get(team=team, user=owner)
    x = demo_channel(team, "x", "X — @FreeRiverside10", secrets={"access_token": "demo"})
    telegram = demo_channel(
        team,
        "telegram",
        "Telegram — Riverside updates",
        config={"chat_id": "@riversideupdates"},
        secrets={"bot_token": "123:demo"},
    )
    people = make_people(team, campaign, rng, now)
    services.ladder(team)

    petition = CallToAction.objects.create(
        campaign=campaign,
        kind=ActionKind.PETITION,
        title="Charge them or free them",
        description="Ask the Minister of Justice to bring the ten before a judge this month.",
        goal=5000,
        created_by=owner,
        created_at=now - timedelta(days=44),
    )
    first_vigil = CallToAction.objects.create(
        campaign=campaign,
        kind=ActionKind.EVENT,
        title="First vigil at the courthouse",
        starts_at=now - timedelta(days=20),
        place="Courthouse steps, Port Verene",
        capacity=80,
        created_by=owner,
        created_at=now - timedelta(days=28),
    )
    today = timezone.localtime(now).replace(hour=18, minute=0, second=0, microsecond=0)
    vigil = CallToAction.objects.create(
        campaign=campaign,
        kind=ActionKind.EVENT,
        title="Candle vigil: 60 days without charge",
        description="Bring a candle. Stewards in yellow will guide you. No flags, no slogans.",
        starts_at=today,
        ends_at=today + timedelta(hours=1),
        place_private=True,
        capacity=60,
        created_by=owner,
        created_at=now - timedelta(days=6),
    )
    fund = CallToAction.objects.create(
        campaign=campaign,
        kind=ActionKind.DONATION,
        title="Legal fund for the ten",
        description="Every euro pays the lawyers who visit the ten in detention.",
        target_url="https://donate.example.org/riverside-ten",
        created_by=owner,
        created_at=now - timedelta(days=12),
    )
    helpers = CallToAction.objects.create(
        campaign=campaign,
        kind=ActionKind.VOLUNTEER,
        title="Stewards for the vigils",
        created_by=owner,
        created_at=now - timedelta(days=10),
    )

    post = sent_post(
        campaign,
        editor,
        "Tonight, 60 days without charge: a candle vigil for the Riverside Ten. "
        "Tell us you are coming and we will share the place.",
        [x, telegram],
        now - timedelta(days=5),
    )
    fund_post = sent_post(
        campaign,
        editor,
        "Lawyers visit the ten every week. Help us keep them going: the legal fund.",
        [x, telegram],
        now - timedelta(days=9),
    )
    vigil_links = {
        "x": links.make_link(vigil, channel=x, post=post),
        "telegram": links.make_link(vigil, channel=telegram, post=post),
        "poster": links.make_link(vigil, source="poster", label="Posters at the university"),
    }
    fund_links = {
        "x": links.make_link(fund, channel=x, post=fund_post),
        "telegram": links.make_link(fund, channel=telegram, post=fund_post),
    }
    petition_link = links.make_link(petition, channel=x, label="Pinned post")

    # Signatures from almost everyone, weeks ago: the first rung.
    for i, person in enumerate(people[:52]):
        answer(person, petition, ResponseKind.SIGNED, now - timedelta(days=40 - i % 8),
               link=petition_link if i % 2 else None)  # fmt: skip
    # Eighteen came to the first vigil.
    for person in people[:18]:
        answer(person, first_vigil, ResponseKind.ATTENDED, now - timedelta(days=20))
    # Five stewards volunteered; two of them organise now.
    for i, person in enumerate(people[:5]):
        for week in range(3 if i < 2 else 1):
            answer(person, helpers, ResponseKind.VOLUNTEERED, now - timedelta(days=9 - 3 * week))
    # Tonight's vigil: RSVPs through each link; the first eight already checked in.
    sources = ["x"] * 12 + ["telegram"] * 9 + ["poster"] * 4
    for i, (person, source) in enumerate(zip(people[10:35], sources, strict=True)):
        link = vigil_links[source]
        rsvp = answer(person, vigil, ResponseKind.RSVP, now - timedelta(days=4, hours=i), link=link)
        if i % 5 != 4:
            Response.objects.filter(pk=rsvp.pk).update(confirmed_at=now - timedelta(days=2))
        if i < 8:
            answer(person, vigil, ResponseKind.ATTENDED, now - timedelta(minutes=30 - i), link=link)
    # Donations traced to the post (and link) that brought them.
    for i, person in enumerate(people[20:34]):
        link = fund_links["x" if i % 3 else "telegram"]
        answer(person, fund, ResponseKind.DONATED, now - timedelta(days=8 - i % 7), link=link,
               amount_cents=rng.choice([500, 1000, 2000, 2500, 5000]), currency="EUR",
               external_ref=f"demo_{secrets.token_hex(4)}")  # fmt: skip
    for link, clicks in [
        (vigil_links["x"], 143),
        (vigil_links["telegram"], 61),
        (vigil_links["poster"], 17),
        (fund_links["x"], 88),
        (fund_links["telegram"], 40),
        (petition_link, 412),
    ]:
        type(link).objects.filter(pk=link.pk).update(clicks=clicks, last_clicked_on=now.date())

    # A thank-you that went out after the first vigil, and one waiting for the stalled.
    attended = {"responded": ResponseKind.ATTENDED, "campaign": campaign.pk}
    thanks = FollowUp.objects.create(
        team=team,
        campaign=campaign,
        filters=attended,
        subject="Thank you for coming",
        text="Thank you for standing with the ten last week. Next: tonight's candle vigil.",
        whatsapp_template="vigil_thanks",
        state=FollowUpState.QUEUED,
        created_by=owner,
        created_at=now - timedelta(days=18),
        queued_at=now - timedelta(days=18),
    )
    for person in people[:18]:
        for channel in sorted(services.active_consents(person)):
            FollowUpMessage.objects.create(
                follow_up=thanks,
                supporter=person,
                channel_kind=channel,
                channel=telegram if channel == "telegram" else None,
                state=MessageState.SENT,
                idempotency_key=secrets.token_hex(16),
                sent_at=now - timedelta(days=18),
            )
    stalled = Segment.objects.create(
        team=team,
        name="Signed but stalled (e-mail)",
        filters={"campaign": campaign.pk, "rung_max": 1, "stalled_days": 21, "consent": "email"},
    )
    FollowUp.objects.create(
        team=team,
        campaign=campaign,
        segment=stalled,
        filters=stalled.filters,
        subject="Tonight: a candle for the ten",
        text="You signed for the Riverside Ten. Tonight at 6 pm we hold a candle vigil; "
        "reply to this e-mail and we will tell you the place.",
        created_by=owner,
    )

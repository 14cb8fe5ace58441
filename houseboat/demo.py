"""Sample data for `houseboat demo`: a fictional campaign a newcomer can click through.

Everything here is invented: the country, the people and the events.
"""

import secrets
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from houseboat.accountability.demo import seed_demands
from houseboat.campaigns.constants import PostStatus
from houseboat.campaigns.models import Campaign, SitePost
from houseboat.core.constants import AuditAction, Role
from houseboat.core.models import Membership, Team
from houseboat.core.services import audit
from houseboat.inbox.demo import seed_inbox
from houseboat.listening.actions_demo import seed_actions
from houseboat.listening.columns_demo import seed_columns
from houseboat.listening.demo import seed_archive
from houseboat.organizing.demo import seed_organizing
from houseboat.publishing.demo import seed_publishing
from houseboat.radar.demo import seed_press
from houseboat.reports.demo import seed_outcomes

OWNER = "amina"
TEAM_SLUG = "riverside"

MEMBERS = [("daniel", Role.EDITOR), ("lucia", Role.CONTRIBUTOR), ("kofi", Role.VIEWER)]

POSTS = [
    (
        "Day 60: ten journalists, still no charge",
        "Sixty days ago, police in Port Verene detained ten reporters from the Riverside Courier "
        "after they published an investigation into the harbour contracts.\n\n"
        "None of them has been charged. Three have not seen a lawyer. We ask the Ministry of "
        "Justice to release them or bring them before a judge this week.",
        9,
    ),
    (
        "Vigil at the Courier's office: Friday 6 pm",
        "Join families and colleagues for a silent vigil outside the Riverside Courier, "
        "14 Quay Street, on Friday at 6 pm. Bring a candle, not a sign: the permit covers a vigil only.",
        4,
    ),
    (
        "Parliament question tabled",
        "Thanks to everyone who wrote to their MP: Deputy Sarr has tabled a written question "
        "asking the Minister of Justice when the ten will be charged or freed. An answer is due "
        "within 21 days. We will publish it here.",
        1,
    ),
]


def new_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def seed(*, port: int = 8000) -> str:
    """Create the demo team, people and campaigns; return the owner's new password.

    ``port`` is where the demo serves on 127.0.0.1: its board reads its own public feed.
    """
    User = get_user_model()
    password = new_password()
    owner, _ = User.objects.get_or_create(username=OWNER)
    owner.set_password(password)
    owner.save()
    if Team.objects.filter(slug=TEAM_SLUG).exists():
        return password
    team = Team.objects.create(name="Riverside Press Freedom Coalition", slug=TEAM_SLUG)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    audit(AuditAction.TEAM_CREATED, team=team, actor=owner, target=team.name, detail="demo data")
    people = {}
    for username, role in MEMBERS:
        person = User.objects.create_user(username=username, password=new_password())
        Membership.objects.create(team=team, user=person, role=role)
        people[username] = person
    campaign = Campaign.objects.create(
        team=team,
        name="Free the Riverside Ten",
        slug="free-the-riverside-ten",
        summary=(
            "Ten journalists of the Riverside Courier have been held without charge in Port Verene "
            "since September. We want them free, and the law that allowed it changed."
        ),
        goals=[
            "All ten released or charged before a judge by 31 December",
            "Access to lawyers and family visits within a week",
            "Repeal of Article 41 of the Public Order Act",
        ],
        hashtags=["FreeRiverside10", "PressFreedom", "JournalismIsNotACrime"],
        key_messages=[
            "Reporting is not a crime.",
            "Sixty days without charge is punishment without trial.",
            "Every day they are held, Port Verene learns less about its own harbour.",
        ],
        starts_on=date.today() - timedelta(days=60),
        site_public=True,
    )
    audit(
        AuditAction.CAMPAIGN_CREATED,
        team=team,
        actor=owner,
        target=campaign.name,
        detail="demo data",
    )
    now = timezone.now()
    for title, body, days_ago in POSTS:
        SitePost.objects.create(
            campaign=campaign,
            title=title,
            body=body,
            author=people["daniel"],
            status=PostStatus.PUBLISHED,
            created_at=now - timedelta(days=days_ago, hours=2),
            published_at=now - timedelta(days=days_ago),
        )
    SitePost.objects.create(
        campaign=campaign,
        title="What Article 41 says, in plain words",
        body="Article 41 lets police hold anyone for 'disturbing public order' without a charge "
        "for up to 90 days, renewable. Here is what that means for you.",
        author=people["lucia"],
    )
    seed_publishing(campaign)
    Campaign.objects.create(
        team=team,
        name="Open the Harbour Files",
        slug="open-the-harbour-files",
        summary="Publish the harbour contracts the Courier was reporting on.",
        goals=["Contracts published on the city's website"],
        hashtags=["HarbourFiles"],
        starts_on=date.today() + timedelta(days=30),
    )
    seed_archive(campaign, actor=owner)
    seed_columns(campaign, port=port)
    seed_actions(campaign)  # after the archive and the sent posts it reads around
    seed_demands(campaign, {OWNER: owner, **people})
    seed_organizing(campaign, owner)
    seed_inbox(campaign)
    seed_outcomes(campaign, owner)
    seed_press(team, campaign)
    return password

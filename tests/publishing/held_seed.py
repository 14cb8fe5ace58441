"""Seed a data folder with a held dead-man statement, for tests of the console script.

`python -m tests.publishing.held_seed [HOLDER]` makes team-a (alice owner, bob editor,
charlie contributor), the campaign free-the-ten with its own site, and a prepared switch
held by HOLDER (bob unless told); it prints the held post's id.
"""

import os
import sys
from datetime import timedelta

SECRET = "If you read this, Bob was taken at the Harbour checkpoint"


def main(holder: str = "bob") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    from houseboat.campaigns.models import Campaign
    from houseboat.connectors.services import own_site_channel
    from houseboat.core.models import Membership, Team, User
    from houseboat.publishing import deadman

    team = Team.objects.create(name="Team A", slug="team-a")
    members = {}
    for name, role in (("alice", "owner"), ("bob", "editor"), ("charlie", "contributor")):
        user = User.objects.create_user(username=name)
        members[name] = Membership.objects.create(team=team, user=user, role=role)
    campaign = Campaign.objects.create(
        team=team, name="Free the Ten", slug="free-the-ten", site_public=True
    )
    switch = deadman.prepare(
        members[holder],
        deadman.Statements(
            name="If I am detained",
            text=SECRET,
            channels=[own_site_channel(campaign)],
            texts={},
            check_in_every=timedelta(hours=72),
            warn_before=timedelta(hours=24),
            campaign=campaign,
        ),
    )
    print(switch.post_id)


if __name__ == "__main__":
    main(*sys.argv[1:2])
    sys.exit(0)

"""Seed a data folder with a post waiting for approval, for the console-script test.

`python -m tests.core.notices_seed` makes team-a with alice (owner) and bob (editor),
both with an e-mail address, and charlie (contributor) whose post waits for approval.
"""

import os

SECRET = "Meet at the back door of the court at seven"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    from houseboat.campaigns.models import Campaign
    from houseboat.core.models import Membership, Team, User
    from houseboat.publishing import services

    team = Team.objects.create(name="Team A", slug="team-a")
    members = {}
    for name, role in (("alice", "owner"), ("bob", "editor"), ("charlie", "contributor")):
        user = User.objects.create_user(username=name, email=f"{name}@example.org")
        members[name] = Membership.objects.create(team=team, user=user, role=role)
    campaign = Campaign.objects.create(team=team, name="Free the Ten", slug="free-the-ten")
    post = services.create_post(membership=members["charlie"], campaign=campaign, text=SECRET)
    services.submit(members["charlie"], post)


if __name__ == "__main__":
    main()

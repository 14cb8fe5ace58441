"""Work on a data folder's database from a separate process, for the snac2 tier:
`python -m tests.publishing.snac_scene seed N BASE_URL TOKEN` makes N posts due now on
one Mastodon-API channel; `... report` prints how many deliveries are in each state."""

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team, User
    from houseboat.publishing.constants import PostStatus
    from houseboat.publishing.models import Delivery, Post, Variant

    if argv[0] == "seed":
        count, base_url, token = int(argv[1]), argv[2], argv[3]
        team = Team.objects.create(name="Snac", slug="snac")
        author = User.objects.create_user(username="alice")
        channel = Channel.objects.create(
            team=team, network="mastodon", name="snac2",
            config={"base_url": base_url, "allow_private_network": True},
            secrets={"access_token": token},
        )  # fmt: skip
        posts = Post.objects.bulk_create(
            Post(team=team, author=author, text=f"Day {n} of the vigil",
                 status=PostStatus.SCHEDULED)
            for n in range(count)
        )  # fmt: skip
        variants = Variant.objects.bulk_create(Variant(post=p, channel=channel) for p in posts)
        now = timezone.now()
        Delivery.objects.bulk_create(
            Delivery(variant=v, text=v.post.text, due_at=now) for v in variants
        )
        return
    if argv[0] == "report":
        print(json.dumps(dict(Delivery.objects.values_list("state").annotate(n=Count("id")))))


if __name__ == "__main__":
    main(sys.argv[1:])

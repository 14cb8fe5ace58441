"""Work on a data folder's database from a separate process, for the worker-kill tests.

``python -m tests.realservers.dispatch_scene seed NETWORK CONFIG SECRETS TEXT...`` makes
one channel (CONFIG and SECRETS as JSON) and one post due now per TEXT;
``... report`` prints each delivery's text, state and remote id as JSON, and
``... attempts`` how many deliveries have their attempt-started mark set.
"""

import json
import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    from django.utils import timezone

    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team, User
    from houseboat.publishing.constants import PostStatus
    from houseboat.publishing.models import Delivery, Post, Variant

    if argv[0] == "seed":
        network, config, secrets, texts = (
            argv[1],
            json.loads(argv[2]),
            json.loads(argv[3]),
            argv[4:],
        )
        team = Team.objects.create(name="Vigil", slug="vigil")
        author = User.objects.create_user(username="alice")
        channel = Channel.objects.create(
            team=team, network=network, name=network, config=config, secrets=secrets
        )
        for text in texts:
            post = Post.objects.create(
                team=team, author=author, text=text, status=PostStatus.SCHEDULED
            )
            variant = Variant.objects.create(post=post, channel=channel)
            Delivery.objects.create(variant=variant, text=text, due_at=timezone.now())
    elif argv[0] == "report":
        rows = Delivery.objects.order_by("pk").values("text", "state", "remote_id", "in_doubt")
        print(json.dumps(list(rows)))
    elif argv[0] == "attempts":
        print(Delivery.objects.filter(attempt_started_at__isnull=False).count())


if __name__ == "__main__":
    main(sys.argv[1:])

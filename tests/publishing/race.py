"""Work on a data dir's database from a separate process, to race real processes on a
SQLite file: `python -m tests.publishing.race seed N` makes N due deliveries to a
campaign's own site; `... claim NAME` claims until none are left and prints the ids it
got, one per line; `... report` counts what was sent and what the own site holds."""

import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    from houseboat.publishing import dispatch
    from tests.publishing.test_claims import due_deliveries

    if argv[0] == "seed":
        due_deliveries(int(argv[1]))
        return
    if argv[0] == "report":
        from houseboat.campaigns.models import SitePost
        from houseboat.publishing.models import Delivery

        print(f"sent={Delivery.objects.filter(state='sent').count()}")
        print(f"site_posts={SitePost.objects.count()}")
        print(f"distinct_bodies={SitePost.objects.values('body').distinct().count()}")
        return
    print("ready", flush=True)
    start = Path(os.environ["HOUSEBOAT_DATA_DIR"]) / "go"
    give_up = time.monotonic() + 60  # the test died: do not wait for ever
    while not start.exists():  # every racer starts at the same moment
        if time.monotonic() > give_up:
            raise SystemExit("no start signal within a minute")
        time.sleep(0.01)
    while batch := dispatch.claim(argv[1], limit=5):
        for delivery in batch:
            print(delivery.pk, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Claim deliveries from a separate process: `python -m tests.publishing.race seed N` fills a
data dir's database with N due deliveries; `... claim NAME` claims until none are left and
prints the ids it got, one per line. Used to race real worker processes on a SQLite file."""

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
    print("ready", flush=True)
    start = Path(os.environ["HOUSEBOAT_DATA_DIR"]) / "go"
    while not start.exists():  # every racer starts at the same moment
        time.sleep(0.01)
    while batch := dispatch.claim(argv[1], limit=5):
        for delivery in batch:
            print(delivery.pk, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

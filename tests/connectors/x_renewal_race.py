"""Renew one X channel's token from a separate process, to race real processes.

`python -m tests.connectors.x_renewal_race seed BASE_URL` makes a team and an X channel
whose access token has expired (its refresh token is ``refresh-token-0000``) and prints
its id; `... check ID THREADS` waits for the "go" file in the data folder, then checks the
channel from THREADS threads at once, each with its own connector as each sender has;
`... report ID` prints the channel's status and stored refresh token.
"""

import os
import sys
import threading
import time
from pathlib import Path

FIRST_REFRESH = "refresh-token-0000"
FIRST_ACCESS = "access-token-0000-expired"


def seed(base_url: str) -> None:
    from houseboat.connectors.models import Channel
    from houseboat.core.models import Team

    team = Team.objects.create(name="Renewal", slug="renewal")
    channel = Channel.objects.create(
        team=team,
        network="x",
        name="X — main",
        config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ", "api_base_url": base_url}
        | {"allow_private_network": True},
        secrets={"access_token": FIRST_ACCESS, "refresh_token": FIRST_REFRESH}
        | {"expires_at": int(time.time()) - 60},
        status="ok",
    )
    print(channel.pk)


def check(pk: int, threads: int) -> None:
    from django.db import connections

    from houseboat.connectors import services
    from houseboat.connectors.base import ConnectorError
    from houseboat.connectors.models import Channel

    start = threading.Barrier(threads)

    def one() -> None:
        try:
            channel = Channel.objects.get(pk=pk)
            start.wait()
            services.check_channel(channel)
            print("ok", flush=True)
        except ConnectorError as error:
            print(f"refused: {error}", flush=True)
        finally:
            connections.close_all()

    wait_for_go()
    running = [threading.Thread(target=one) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=120)


def wait_for_go() -> None:
    print("ready", flush=True)
    go = Path(os.environ["HOUSEBOAT_DATA_DIR"]) / "go"
    give_up = time.monotonic() + 60  # the test died: do not wait for ever
    while not go.exists():
        if time.monotonic() > give_up:
            raise SystemExit("no start signal within a minute")
        time.sleep(0.01)


def report(pk: int) -> None:
    from houseboat.connectors.models import Channel

    channel = Channel.objects.get(pk=pk)
    print(f"status={channel.status}")
    print(f"refresh_token={channel.secrets.get('refresh_token')}")
    print(f"access_token={channel.secrets.get('access_token')}")


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "houseboat.settings")
    import django

    django.setup()
    if argv[0] == "seed":
        seed(argv[1])
    elif argv[0] == "check":
        check(int(argv[1]), int(argv[2]))
    else:
        report(int(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])

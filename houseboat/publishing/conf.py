"""The dispatcher's tunables: a Django setting if there is one, else the environment.

Each has a safe default; a deployment rarely needs to change any of them.
"""

from django.conf import settings

from houseboat.env import envint

DEFAULTS = {
    # Deliveries one sender claims at once: one, so a row never waits behind another
    # sender's slow network while held.
    "HOUSEBOAT_DISPATCH_BATCH": 1,
    # Senders in one worker: each claims and publishes its own batches, so a slow
    # network (or a short wait it asks for) holds up only one of them.
    "HOUSEBOAT_DISPATCH_THREADS": 4,
    # How long a claim holds unless renewed. The worker's heartbeat renews it every
    # few seconds while it lives (and before every request), so a publish may take
    # longer than this; a dead worker's rows come back within it.
    "HOUSEBOAT_DISPATCH_LEASE_SECONDS": 30,
    # How long one worker round keeps dispatching before the other steps get a turn.
    "HOUSEBOAT_DISPATCH_ROUND_SECONDS": 20,
    # Tries of a delivery that keeps failing transiently before it is marked failed.
    "HOUSEBOAT_DISPATCH_MAX_ATTEMPTS": 8,
    # Backoff after a transient failure: this many seconds, doubling, up to the cap.
    "HOUSEBOAT_DISPATCH_BACKOFF_SECONDS": 30,
    "HOUSEBOAT_DISPATCH_BACKOFF_CAP_SECONDS": 3600,
}


def value(name: str) -> int:
    """Return the tunable from settings, else from the environment, else its default."""
    configured = getattr(settings, name, None)
    if configured is not None:
        return int(configured)
    return envint(name, DEFAULTS[name])

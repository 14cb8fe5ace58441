"""The real-server tier's fixtures: each server's live in its own module, gathered here."""

from tests.publishing.conftest import bob_member, no_waiting, publish  # noqa: F401 (fixtures)
from tests.realservers.bluesky_pds import bluesky_network, bluesky_pds  # noqa: F401 (fixtures)
from tests.realservers.synapse import synapse  # noqa: F401 (the fixture, for the tier's tests)

from tests.realservers.synapse import synapse  # noqa: F401  (the fixture, for the tier's tests)

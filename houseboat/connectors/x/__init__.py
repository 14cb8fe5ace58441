"""X (formerly Twitter), through its API v2."""

"""Mastodon, on any server that speaks its API."""

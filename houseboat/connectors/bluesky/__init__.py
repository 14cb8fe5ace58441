"""Bluesky (AT Protocol): plain XRPC calls to the account's PDS, through houseboat's HTTP wrapper."""

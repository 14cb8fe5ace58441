"""Messages put together from parts (a network's words, houseboat's, advice) say each thing once.

A connector's error may already promise that houseboat will try again; the dispatcher
that retries adds the promise only where it is missing, and takes it out where nothing
will be tried again (a delivery given up, a channel check run by hand).
"""

from __future__ import annotations

import re

# "houseboat will try again", "… later", "… after 12:00:00 UTC; waiting work goes out then",
# with the joining "; " or " and " before it.
_PROMISE_RE = re.compile(
    r"(?:\s*[;,]\s*|\s+and\s+|\s*(?<=[.!?])\s*)houseboat will try again\b[^.]*\.?",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"[^.;:,!?]+[.;:,!?]*")
_LEADING_THEN_RE = re.compile(r"^(?:and\s+)?then\s+", re.IGNORECASE)


def promise_retry(message: str) -> str:
    """Add that houseboat will try again, unless the message says so already."""
    if "will try again" in message.lower():
        return message
    message = message.rstrip()
    if message and message[-1] not in ".!?":
        message += "."
    return f"{message} houseboat will try again."


def unpromise_retry(message: str) -> str:
    """Take a promise to try again out of a message about something that will not be."""
    plain = _PROMISE_RE.sub("", message).rstrip(" ;,")
    if plain != message and plain and plain[-1] not in ".!?":
        plain += "."
    return plain


def _said(clause: str) -> str:
    return " ".join(clause.strip(" .;:,!?").lower().split())


def without_repeats(advice: str, already: str) -> str:
    """Leave out the clauses of advice that already says; what is left reads on its own.

    "Reconnect the channel, then write the post again." after a message that says to
    reconnect the channel becomes "Write the post again."
    """
    said = _said(already)
    clauses = _CLAUSE_RE.findall(advice)
    kept = [c.strip() for c in clauses if _said(c) and _said(c) not in said]
    if len(kept) == len([c for c in clauses if _said(c)]):
        return advice
    text = _LEADING_THEN_RE.sub("", " ".join(kept))
    return text[:1].upper() + text[1:]

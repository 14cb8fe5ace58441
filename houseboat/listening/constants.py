from django.db import models
from django.utils.translation import gettext_lazy as _


class CaptureKind(models.TextChoices):
    """How items reached the archive."""

    IMPORT = "import", _("file import")
    LIVE = "live", _("live read")


class CaptureState(models.TextChoices):
    """Where a capture stands; a failed import with a position can be resumed."""

    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class MediaKind(models.TextChoices):
    IMAGE = "image", _("image")
    VIDEO = "video", _("video")
    AUDIO = "audio", _("audio")
    FILE = "file", _("file")


class ImportJobState(models.TextChoices):
    """Where an import uploaded through the web page stands."""

    CHOOSING = "choosing", _("waiting for the chats to be chosen")
    QUEUED = "queued", _("waiting for the worker")
    RUNNING = "running", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ColumnKind(models.TextChoices):
    """What a board column reads: the connectors' ``Source.kind`` strings."""

    HASHTAG = "hashtag", _("hashtag")
    KEYWORD = "keyword", _("keywords")
    MENTIONS = "mentions", _("mentions of the account")
    ACCOUNT = "account", _("one account's posts")
    LIST = "list", _("Mastodon list")
    FEED = "feed", _("RSS/Atom feed")
    PAGE = "page", _("Facebook Page feed and comments")
    CHATS = "chats", _("Telegram chats and channels")
    ROOM = "room", _("Matrix room")


class GoneReason(models.TextChoices):
    """Why an archived item is no longer on its network (the archived copy stays)."""

    DELETED = "deleted", _("deleted")
    SUSPENDED = "suspended", _("account suspended")


class RollupDimension(models.TextChoices):
    """What an hourly key count counts (listening/dashboards_models.py HourlyKeyCount)."""

    NETWORK = "network", _("network")
    HASHTAG = "hashtag", _("hashtag")  # daily and total counts only (hours: HourlyCount)
    LANGUAGE = "language", _("language")
    LINK = "link", _("link")
    # Mentions of the team's own accounts (their handles), for the spike alerts.
    TEAM_MENTION = "team_mention", _("mention of the team's accounts")


class ActionKind(models.TextChoices):
    """What kind of dated event the team enters as an action."""

    MARCH = "march", _("march")
    HEARING = "hearing", _("hearing")
    PRESS_CONFERENCE = "press_conference", _("press conference")
    OTHER = "other", _("other")

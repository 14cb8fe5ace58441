from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    """The networks houseboat speaks to, one connector module each."""

    OWN_SITE = "own_site", _("Own site")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    TELEGRAM = "telegram", _("Telegram")
    X = "x", _("X")
    FACEBOOK = "facebook", _("Facebook Page")
    WHATSAPP = "whatsapp", _("WhatsApp")
    RSS = "rss", _("RSS/Atom feed")
    MATRIX = "matrix", _("Matrix")


class ChannelStatus(models.TextChoices):
    """Whether a channel can be used right now."""

    OK = "ok", _("Working")
    UNCHECKED = "unchecked", _("Not checked yet")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")
    FAILING = "failing", _("Last call failed")

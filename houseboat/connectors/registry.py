"""Which module speaks to which network: an explicit list, imported only when used."""

from django.utils.module_loading import import_string

from houseboat.connectors.base import Connector, Manifest
from houseboat.connectors.constants import Network

CONNECTORS: dict[str, str] = {
    Network.OWN_SITE: "houseboat.connectors.own_site.connector.OwnSiteConnector",
    Network.MASTODON: "houseboat.connectors.mastodon.connector.MastodonConnector",
    Network.BLUESKY: "houseboat.connectors.bluesky.connector.BlueskyConnector",
    Network.TELEGRAM: "houseboat.connectors.telegram.connector.TelegramConnector",
    Network.X: "houseboat.connectors.x.connector.XConnector",
    Network.FACEBOOK: "houseboat.connectors.facebook.connector.FacebookConnector",
    Network.WHATSAPP: "houseboat.connectors.whatsapp.connector.WhatsAppConnector",
    Network.RSS: "houseboat.connectors.rss.connector.RssConnector",
    Network.MATRIX: "houseboat.connectors.matrix.connector.MatrixConnector",
}


def connector_class(network: str) -> type[Connector]:
    try:
        return import_string(CONNECTORS[network])
    except KeyError:
        raise LookupError(
            f"houseboat has no connector for {network!r}. Known: {', '.join(CONNECTORS)}."
        ) from None


def manifest(network: str) -> Manifest:
    return connector_class(network).manifest

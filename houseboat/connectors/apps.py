from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "houseboat.connectors"
    label = "connectors"
    verbose_name = "Connectors"

    def ready(self) -> None:
        from houseboat.connectors import signals  # noqa: F401

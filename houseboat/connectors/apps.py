from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "houseboat.connectors"
    label = "connectors"
    verbose_name = "Connectors"

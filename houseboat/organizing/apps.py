from django.apps import AppConfig


class OrganizingConfig(AppConfig):
    name = "houseboat.organizing"
    label = "organizing"
    verbose_name = "Organising"

    def ready(self) -> None:
        from houseboat.organizing import signals

        signals.connect()

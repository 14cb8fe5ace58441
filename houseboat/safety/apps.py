from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "houseboat.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        from houseboat.safety import signals

        signals.connect()

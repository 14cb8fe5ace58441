from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "houseboat.safety"
    label = "safety"
    verbose_name = "Safety"

    def ready(self) -> None:
        from houseboat.safety import signals, waiting

        signals.connect()
        waiting.register()  # the open-alerts count core shows in the navigation

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "houseboat.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from houseboat.publishing import receivers, waiting

        receivers.connect()
        waiting.register()  # the counts and the dead-man banner core shows on every page

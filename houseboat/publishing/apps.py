from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "houseboat.publishing"
    label = "publishing"
    verbose_name = "Publishing"

    def ready(self) -> None:
        from houseboat.core import worker
        from houseboat.publishing import receivers, waiting

        # Taking a post down is as urgent as sending one: the same lane, right after it.
        worker.add_step("dispatch", "houseboat.publishing.takedown.takedown_due")

        receivers.connect()
        waiting.register()  # the counts and the dead-man banner core shows on every page

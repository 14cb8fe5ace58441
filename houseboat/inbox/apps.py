from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "houseboat.inbox"
    label = "inbox"
    verbose_name = "Team inbox"

    def ready(self) -> None:
        from houseboat.core import worker
        from houseboat.inbox import waiting

        # After the alert check, so a threat in a new reply is flagged by the time it is filed.
        worker.add_step("reading", "houseboat.inbox.filing.file_new_items")
        waiting.register()  # the nav count of open entries for me or nobody

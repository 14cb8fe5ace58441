from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "houseboat.core"
    label = "core"
    verbose_name = "houseboat core"

    def ready(self) -> None:
        from houseboat.core import signals  # noqa: F401  (connects login/logout receivers)

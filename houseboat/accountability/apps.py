from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "houseboat.accountability"
    label = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        from houseboat.accountability.public import SECTION
        from houseboat.campaigns.site import register_section

        register_section(SECTION)

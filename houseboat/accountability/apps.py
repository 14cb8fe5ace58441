from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "houseboat.accountability"
    label = "accountability"
    verbose_name = "Accountability"

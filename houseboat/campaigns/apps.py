from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "houseboat.campaigns"
    label = "campaigns"
    verbose_name = "campaigns"

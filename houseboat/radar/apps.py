from django.apps import AppConfig


class RadarConfig(AppConfig):
    name = "houseboat.radar"
    label = "radar"
    verbose_name = "Counter-narrative radar"

from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "houseboat.listening"
    label = "listening"
    verbose_name = "Listening and archive"

from django.apps import AppConfig


class RadarConfig(AppConfig):
    name = "houseboat.radar"
    label = "radar"
    verbose_name = "Counter-narrative radar"

    def ready(self) -> None:
        from houseboat.core import worker

        # The press feeds are read beside the listening columns, on their own schedule.
        worker.add_step("reading", "houseboat.radar.fetching.fetch_due")

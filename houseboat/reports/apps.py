from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "houseboat.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from houseboat.core import worker

        # A report reads the whole period of a campaign: slow work, so in the lane of
        # imports and exports, never ahead of a scheduled post.
        worker.add_step("imports", "houseboat.reports.jobs.run_report_jobs")

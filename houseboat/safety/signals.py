"""Delete a picture's unblurred copy as soon as it is no longer needed."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from houseboat.safety.models import MediaRegions


def _forget_deleted(sender, instance: MediaRegions, **kwargs) -> None:
    """The picture or its post was removed: its unblurred copy goes with it."""
    from houseboat.safety.regions import delete_source

    delete_source(instance)


def _forget_finished_post(sender, instance, **kwargs) -> None:
    """A post cancelled (or marked sent) through save(): forget its pictures' copies now."""
    from houseboat.safety.regions import FINISHED_STATUSES, forget_sources

    if instance.status in FINISHED_STATUSES:
        forget_sources(
            MediaRegions.objects.exclude(source_name="").filter(attachment__post=instance)
        )


def connect() -> None:
    post_delete.connect(_forget_deleted, sender=MediaRegions, dispatch_uid="safety-regions-delete")
    post_save.connect(
        _forget_finished_post, sender="publishing.Post", dispatch_uid="safety-regions-post"
    )

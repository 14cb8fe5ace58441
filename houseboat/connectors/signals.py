"""Every campaign gets its own-site channel: land the campaign owns, always there."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from houseboat.campaigns.models import Campaign


@receiver(post_save, sender=Campaign, dispatch_uid="own_site_channel")
def add_own_site_channel(sender, instance: Campaign, created: bool, **kwargs) -> None:
    if created:
        from houseboat.connectors.services import own_site_channel

        own_site_channel(instance)


@receiver(post_delete, sender=Campaign, dispatch_uid="own_site_channel_gone")
def remove_own_site_channel(sender, instance: Campaign, **kwargs) -> None:
    from houseboat.connectors.models import Channel

    Channel.objects.filter(network="own_site", config__campaign_id=instance.pk).delete()

"""Mounted at hooks/whatsapp/: public, for Meta's servers only."""

from django.urls import path

from houseboat.connectors.whatsapp import views

app_name = "whatsapp"

urlpatterns = [
    path("<int:channel_id>/", views.webhook, name="webhook"),
]

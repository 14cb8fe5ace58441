from django.urls import path

from houseboat.connectors.mastodon import views

app_name = "mastodon"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
]

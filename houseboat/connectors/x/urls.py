"""“Sign in with X”, mounted at t/<team_slug>/channels/x/."""

from django.urls import path

from houseboat.connectors.x import views

app_name = "x"

urlpatterns = [
    path("sign-in/", views.start, name="start"),
    path("callback/", views.callback, name="callback"),
]

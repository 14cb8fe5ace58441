"""The radar page of a campaign, under t/<team>/campaigns/<slug>/radar/ (houseboat/urls.py)."""

from django.urls import path

from houseboat.radar import views

app_name = "radar"

urlpatterns = [
    path("", views.radar, name="radar"),
    path("issue/", views.issue_add, name="issue_add"),
]

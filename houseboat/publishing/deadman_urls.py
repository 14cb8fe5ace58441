"""The Dead-man switch pages of a team, and the one-time check-in link.

Mounted at the site's root with one line in houseboat/urls.py, so that the team's
pages live under the Publish section and the link needs no team in its address.
"""

from django.urls import path

from houseboat.publishing import deadman_views as views

app_name = "deadman"

TEAM = "t/<slug:team_slug>/publish/deadman/"

urlpatterns = [
    path(TEAM, views.index, name="index"),
    path(f"{TEAM}new/", views.new, name="new"),
    path(f"{TEAM}<int:pk>/", views.detail, name="detail"),
    path(f"{TEAM}<int:pk>/edit/", views.edit, name="edit"),
    path(f"{TEAM}<int:pk>/submit/", views.submit, name="submit"),
    path(f"{TEAM}<int:pk>/approve/", views.approve, name="approve"),
    path(f"{TEAM}<int:pk>/arm/", views.arm, name="arm"),
    path(f"{TEAM}<int:pk>/check-in/", views.check_in, name="check_in"),
    path(f"{TEAM}<int:pk>/disarm/", views.disarm, name="disarm"),
    path(f"{TEAM}<int:pk>/delete/", views.delete, name="delete"),
    # Public: the token in the address is the credential.
    path("checkin/<str:token>/", views.link, name="link"),
]

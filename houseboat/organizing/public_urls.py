"""Public pages under a campaign's own site, /c/<slug>/."""

from django.urls import path

from houseboat.organizing import public

app_name = "act"

urlpatterns = [
    path("<slug:slug>/act/<int:pk>/", public.action_page, name="action"),
    path("<slug:slug>/join/", public.signup, name="signup"),
]

from django.urls import path

from houseboat.accountability import public

app_name = "public_demands"

urlpatterns = [
    path("", public.tracker, name="tracker"),
]

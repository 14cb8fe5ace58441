from django.urls import path

from houseboat.safety.views import overview, review

app_name = "safety"

urlpatterns = [
    path("", overview.index, name="index"),
    path("check/", review.check, name="check"),
    path("names/", review.names, name="names"),
    path("names/add/", review.name_add, name="name_add"),
    path("names/<int:pk>/remove/", review.name_remove, name="name_remove"),
]

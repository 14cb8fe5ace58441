from django.urls import path

from houseboat.radar import press_views

app_name = "press"

urlpatterns = [
    path("", press_views.sources, name="sources"),
    path("add/", press_views.add, name="add"),
    path("<int:pk>/pause/", press_views.pause, name="pause"),
    path("<int:pk>/resume/", press_views.resume, name="resume"),
]

from django.urls import path

from houseboat.listening import views

app_name = "listening"

urlpatterns = [
    path("", views.archive, name="archive"),
]

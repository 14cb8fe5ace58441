from django.urls import path

from houseboat.connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:network>/", views.connect, name="connect"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/remove/", views.remove, name="remove"),
]

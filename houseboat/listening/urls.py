from django.urls import path

from houseboat.listening import views

app_name = "listening"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("media/<str:sha256>/", views.archive_media, name="media"),
    path("media/<str:sha256>/graphic/", views.archive_media_mark, name="media_mark"),
    path("import/", views.import_file, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("retention/", views.retention, name="retention"),
]

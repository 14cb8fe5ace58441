from django.urls import path

from houseboat.listening import views

app_name = "listening"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("import/", views.import_file, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("retention/", views.retention, name="retention"),
]

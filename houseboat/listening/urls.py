from django.urls import path

from houseboat.listening import columns_views, views

app_name = "listening"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("media/<str:sha256>/", views.archive_media, name="media"),
    path("media/<str:sha256>/graphic/", views.archive_media_mark, name="media_mark"),
    path("import/", views.import_file, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("retention/", views.retention, name="retention"),
    path("board/", columns_views.board, name="board"),
    path("board/columns/new/", columns_views.column_add, name="column_add"),
    path("board/columns/<int:pk>/", columns_views.column_body, name="column"),
    path(
        "board/columns/<int:pk>/<slug:action>/",
        columns_views.column_action,
        name="column_action",
    ),
]

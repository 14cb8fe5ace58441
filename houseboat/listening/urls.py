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

# The dashboards and the response to actions (listening/dashboards_views.py, actions_views.py).
from houseboat.listening import actions_views, dashboards_views  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboards_views.dashboard, name="dashboard"),
    path("actions/", actions_views.action_list, name="actions"),
    path("actions/events/new/", actions_views.event_add, name="event_add"),
    path("actions/events/<int:pk>/remove/", actions_views.event_remove, name="event_remove"),
    path("actions/<str:ref>/", actions_views.action_response, name="action"),
]

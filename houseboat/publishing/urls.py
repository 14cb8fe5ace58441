from django.urls import path

from houseboat.publishing import queue_views, takedown_views, views

app_name = "publishing"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.compose, name="compose"),
    path("check/", views.check, name="check"),
    path("review/", views.review, name="review"),
    path("calendar/", views.calendar, name="calendar"),
    path("times/", queue_views.index, name="queue"),
    path("times/<int:pk>/", queue_views.edit, name="queue_edit"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("<int:pk>/takedown/", takedown_views.show, name="takedown"),
    path("<int:pk>/takedown/confirm/", takedown_views.confirm, name="takedown_confirm"),
    path("deliveries/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]

from django.urls import path

from houseboat.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("entry/<int:pk>/assign/", views.assign, name="assign"),
    path("entry/<int:pk>/tags/", views.tags, name="tags"),
    path("entry/<int:pk>/state/", views.state, name="state"),
    path("entry/<int:pk>/reply/", views.reply, name="reply"),
    # Last: a campaign's inbox ("entry" is never a campaign here, its paths are longer).
    path("<slug:slug>/", views.inbox, name="inbox"),
]

from django.urls import path

from houseboat.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/new/", views.create, name="create"),
    path("campaigns/<slug:slug>/", views.detail, name="detail"),
    path("campaigns/<slug:slug>/edit/", views.edit, name="edit"),
    path("campaigns/<slug:slug>/posts/new/", views.post_create, name="post_create"),
    path("campaigns/<slug:slug>/posts/<int:pk>/", views.post_edit, name="post_edit"),
    path("campaigns/<slug:slug>/posts/<int:pk>/publish/", views.post_publish, name="post_publish"),
    path(
        "campaigns/<slug:slug>/posts/<int:pk>/unpublish/",
        views.post_unpublish,
        name="post_unpublish",
    ),
]

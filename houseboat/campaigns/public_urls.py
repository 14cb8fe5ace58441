from django.urls import path

from houseboat.campaigns import public

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", public.site_index, name="site"),
    path("<slug:slug>/posts/<int:pk>/", public.site_post, name="post"),
    path("<slug:slug>/feed.atom", public.feed, name="feed"),
    path("<slug:slug>/pictures/<int:pk>.<str:suffix>", public.picture, name="picture"),
]

from django.urls import path

from houseboat.accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.index, name="index"),
    path("item/<str:sha256>/", views.custody, name="custody"),
    path("<slug:slug>/", views.tracker, name="tracker"),
    path("<slug:slug>/new/", views.create, name="create"),
    path("<slug:slug>/review/", views.review_queue, name="review"),
    path("<slug:slug>/review/change/<int:pk>/", views.review_change, name="review_change"),
    path("<slug:slug>/review/response/<int:pk>/", views.review_response, name="review_response"),
    path("<slug:slug>/candidates/<int:pk>/", views.candidate, name="candidate"),
    path("<slug:slug>/import/", views.import_file, name="import"),
    path("<slug:slug>/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("<slug:slug>/export.csv", views.export_csv, name="export_csv"),
    path("<slug:slug>/export.json", views.export_json, name="export_json"),
    path("<slug:slug>/vocabulary/", views.vocabulary, name="vocabulary"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/edit/", views.edit, name="edit"),
    path("<slug:slug>/<int:pk>/status/", views.change, name="change"),
    path("<slug:slug>/<int:pk>/response/", views.respond, name="respond"),
    path("<slug:slug>/<int:pk>/evidence/", views.evidence, name="evidence"),
]

from django.urls import path

from houseboat.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="report_list"),
    path("<slug:slug>/", views.campaign_reports, name="campaign"),
    path("<slug:slug>/outcomes/", views.outcomes, name="outcomes"),
    path("<slug:slug>/<int:pk>/", views.report_page, name="report"),
    path("<slug:slug>/<int:pk>/<str:kind>/", views.download, name="download"),
]

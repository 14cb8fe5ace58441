from django.urls import path

from houseboat.safety.views import alerts, overview, review

app_name = "safety"

urlpatterns = [
    path("", overview.index, name="index"),
    path("check/", review.check, name="check"),
    path("names/", review.names, name="names"),
    path("names/add/", review.name_add, name="name_add"),
    path("names/<int:pk>/remove/", review.name_remove, name="name_remove"),
    path("alerts/", alerts.alerts, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/words/", alerts.terms, name="terms"),
    path("alerts/words/add/", alerts.term_add, name="term_add"),
    path("alerts/words/<int:pk>/remove/", alerts.term_remove, name="term_remove"),
    path("alerts/protected/", alerts.protected, name="protected"),
    path("alerts/protected/add/", alerts.protected_add, name="protected_add"),
    path("alerts/protected/<int:pk>/remove/", alerts.protected_remove, name="protected_remove"),
]

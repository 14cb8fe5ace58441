from django.urls import path

from houseboat.safety.views import alerts, graphic, lockdown, overview, regions, review

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
    path("graphic/", graphic.graphic, name="graphic"),
    path("graphic/limit/", graphic.graphic_settings, name="graphic_settings"),
    path("graphic/rules/add/", graphic.graphic_rule_add, name="graphic_rule_add"),
    path("graphic/rules/<int:pk>/remove/", graphic.graphic_rule_remove, name="graphic_rule_remove"),
    path("graphic/mark/", graphic.graphic_mark, name="graphic_mark"),
    path("graphic/marks/<int:pk>/remove/", graphic.graphic_unmark, name="graphic_unmark"),
    path("graphic/seen/<str:sha256>/", graphic.graphic_seen, name="graphic_seen"),
    path("lockdown/", lockdown.lockdown, name="lockdown"),
    path("pictures/<int:pk>/faces/", regions.editor, name="regions"),
    path("pictures/<int:pk>/unblurred/", regions.source, name="regions_source"),
]

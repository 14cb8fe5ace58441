from django.urls import include, path

from houseboat.core.views import account, system
from houseboat.organizing import public as organizing_public

urlpatterns = [
    path("healthz", system.healthz, name="healthz"),
    path("i18n/setlang/", account.choose_language, name="set_language"),
    path("c/<slug:slug>/demands/", include("houseboat.accountability.public_urls")),
    path("c/", include("houseboat.campaigns.public_urls")),
    path("c/", include("houseboat.organizing.public_urls")),
    path("r/<str:code>", organizing_public.tracked_link, name="tracked_link"),
    path("confirm/<str:token>/", organizing_public.confirm_signup, name="confirm_signup"),
    path("stop/<str:token>/", organizing_public.unsubscribe, name="unsubscribe"),
    path("hooks/whatsapp/", include("houseboat.connectors.whatsapp.urls")),
    path("t/<slug:team_slug>/channels/x/", include("houseboat.connectors.x.urls")),
    path("t/<slug:team_slug>/channels/mastodon/", include("houseboat.connectors.mastodon.urls")),
    path("t/<slug:team_slug>/channels/", include("houseboat.connectors.urls")),
    path("t/<slug:team_slug>/publish/", include("houseboat.publishing.urls")),
    path("", include("houseboat.publishing.deadman_urls")),  # …/publish/deadman/, /checkin/
    path("t/<slug:team_slug>/archive/", include("houseboat.listening.urls")),
    path("t/<slug:team_slug>/inbox/", include("houseboat.inbox.urls")),
    path("t/<slug:team_slug>/safety/", include("houseboat.safety.urls")),
    path("t/<slug:team_slug>/demands/", include("houseboat.accountability.urls")),
    path("t/<slug:team_slug>/organise/", include("houseboat.organizing.urls")),
    path("t/<slug:team_slug>/reports/", include("houseboat.reports.urls")),
    path("t/<slug:team_slug>/campaigns/<slug:slug>/radar/", include("houseboat.radar.urls")),
    path("t/<slug:team_slug>/press/", include("houseboat.radar.press_urls")),
    path("t/<slug:team_slug>/", include("houseboat.campaigns.urls")),
    path("", include("houseboat.core.urls")),
]

handler400 = "houseboat.core.views.system.bad_request"
handler403 = "houseboat.core.views.system.permission_denied"
handler404 = "houseboat.core.views.system.page_not_found"
handler500 = "houseboat.core.views.system.server_error"

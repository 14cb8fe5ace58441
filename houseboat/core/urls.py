from django.urls import path

from houseboat.core.views import account, auth, team, translations

app_name = "core"

urlpatterns = [
    path("", team.home, name="home"),
    path("login/", auth.login_view, name="login"),
    path("login/code/", auth.login_verify, name="login_verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("join/<str:token>/", team.join, name="join"),
    path("about/translations/", translations.about_translations, name="translations"),
    path("account/security/", account.security, name="security"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path("account/two-factor/off/", account.two_factor_disable, name="two_factor_disable"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/notices/", account.notice_email, name="notice_email"),
    path("account/digits/", account.choose_digits, name="digits"),
    path("account/sessions/<int:pk>/end/", account.session_revoke, name="session_revoke"),
    path("account/sessions/end-others/", account.sessions_revoke_all, name="sessions_revoke_all"),
    path("t/<slug:team_slug>/members/", team.members, name="members"),
    path("t/<slug:team_slug>/members/invite/", team.invite, name="invite"),
    path("t/<slug:team_slug>/members/<int:pk>/role/", team.member_role, name="member_role"),
    path("t/<slug:team_slug>/members/<int:pk>/remove/", team.member_remove, name="member_remove"),
    path(
        "t/<slug:team_slug>/invitations/<int:pk>/revoke/",
        team.invitation_revoke,
        name="invitation_revoke",
    ),
    path("t/<slug:team_slug>/settings/", team.team_settings, name="team_settings"),
    path("t/<slug:team_slug>/audit/", team.audit_log, name="audit_log"),
]

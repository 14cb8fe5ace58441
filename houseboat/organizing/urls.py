from django.urls import path

from houseboat.organizing import views_actions as actions
from houseboat.organizing import views_followups as follow
from houseboat.organizing import views_supporters as people

app_name = "organizing"

urlpatterns = [
    path("", people.index, name="index"),
    path("supporters/", people.supporter_list, name="supporters"),
    path("supporters/new/", people.supporter_add, name="supporter_add"),
    path("supporters/import/", people.supporter_import, name="import"),
    path("supporters/<int:pk>/", people.supporter_detail, name="supporter"),
    path("supporters/<int:pk>/consent/", people.supporter_consent, name="supporter_consent"),
    path("supporters/<int:pk>/export/", people.supporter_export, name="supporter_export"),
    path(
        "supporters/<int:pk>/unsubscribe/",
        people.supporter_unsubscribe,
        name="supporter_unsubscribe",
    ),
    path("supporters/<int:pk>/erase/", people.supporter_erase, name="supporter_erase"),
    path("from-archive/", people.authors, name="authors"),
    path("ladder/", people.ladder_edit, name="ladder"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/new/", actions.action_create, name="action_create"),
    path("actions/<int:pk>/", actions.action_detail, name="action"),
    path("actions/<int:pk>/links/", actions.link_create, name="link_create"),
    path("actions/<int:pk>/responses/", actions.response_record, name="response_record"),
    path("actions/<int:pk>/payments/", actions.payment_import, name="payment_import"),
    path("actions/<int:pk>/check-in/", actions.checkin, name="checkin"),
    path("actions/<int:pk>/check-in/mark/", actions.checkin_mark, name="checkin_mark"),
    path("funnel/", actions.funnel, name="funnel"),
    path("donations/", actions.money, name="money"),
    path("donations/<int:pk>/export.csv", actions.money_export, name="money_export"),
    path("follow-ups/", follow.follow_up_list, name="follow_ups"),
    path("follow-ups/new/", follow.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/", follow.follow_up_detail, name="follow_up"),
    path("follow-ups/<int:pk>/send/", follow.follow_up_send, name="follow_up_send"),
]

"""Included at the root of i18n_patterns: /<lang>/experts/… and /<lang>/institutions/…"""

from django.urls import include, path

from experts import account_views, exchange_views, measurement_views, views

urlpatterns = [
    path("experts/", views.roster, name="expert_roster"),
    path("experts/apply/", views.apply, name="expert_apply"),
    path("experts/<int:pk>/", views.profile_detail, name="expert_detail"),
    path("experts/<int:pk>/photo/", views.profile_photo, name="expert_photo"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:slug>/", views.institution_detail, name="institution_detail"),
]

# Exchange requests and notifications (experts.exchange_views).
urlpatterns += [
    path(
        "experts/<int:pk>/request/", exchange_views.request_expert, name="exchange_request_expert"
    ),
    path(
        "institutions/<str:slug>/request/",
        exchange_views.request_institution,
        name="exchange_request_institution",
    ),
    path("experts/requests/", exchange_views.request_list, name="exchange_list"),
    path("experts/requests/<int:pk>/", exchange_views.request_detail, name="exchange_detail"),
    path(
        "experts/requests/<int:pk>/transition/",
        exchange_views.request_transition,
        name="exchange_transition",
    ),
    path("experts/notifications/", exchange_views.notifications, name="exchange_notifications"),
]

# Measuring South-South exchanges (experts.measurement_views): /<lang>/exchanges/…
urlpatterns += [
    path("exchanges/dashboard/", measurement_views.dashboard, name="exchange_dashboard"),
    path("exchanges/dashboard.csv", measurement_views.dashboard_csv, name="exchange_dashboard_csv"),
    path(
        "exchanges/dashboard.json",
        measurement_views.dashboard_json,
        name="exchange_dashboard_json",
    ),
    path("exchanges/records/", measurement_views.record_list, name="exchange_record_list"),
    path(
        "exchanges/records/<int:pk>/",
        measurement_views.record_detail,
        name="exchange_record_detail",
    ),
]

# The member's own data (experts.account_views).
urlpatterns += [
    path("experts/account/data.json", account_views.account_data, name="expert_account_data"),
    path("experts/account/delete/", account_views.account_delete, name="expert_account_delete"),
]

# The experts' forum (experts.forum): /<lang>/forum/…
urlpatterns += [path("forum/", include("experts.forum.urls"))]

"""Included at the root of i18n_patterns: /<lang>/experts/… and /<lang>/institutions/…"""

from django.urls import path

from experts import views

urlpatterns = [
    path("experts/", views.roster, name="expert_roster"),
    path("experts/apply/", views.apply, name="expert_apply"),
    path("experts/<int:pk>/", views.profile_detail, name="expert_detail"),
    path("experts/<int:pk>/photo/", views.profile_photo, name="expert_photo"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:slug>/", views.institution_detail, name="institution_detail"),
]

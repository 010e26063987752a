"""The experts' forum under /<lang>/forum/ (included by experts.urls)."""

from django.urls import path

from experts.forum import views

urlpatterns = [
    path("", views.index, name="forum_index"),
    path("c/<slug:slug>/", views.category_detail, name="forum_category"),
    path("c/<slug:slug>/new/", views.thread_create, name="forum_thread_create"),
    path("t/<int:pk>/", views.thread_detail, name="forum_thread"),
    path("t/<int:pk>/reply/", views.reply, name="forum_reply"),
    path("p/<int:pk>/edit/", views.post_edit, name="forum_post_edit"),
    path("p/<int:pk>/history/", views.post_history, name="forum_post_history"),
    path("p/<int:pk>/accept/", views.post_accept, name="forum_post_accept"),
    path("p/<int:pk>/flag/", views.post_flag, name="forum_post_flag"),
    path("subscribe/", views.subscribe, name="forum_subscribe"),
    path("preferences/", views.preferences, name="forum_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="forum_unsubscribe"),
    path("moderation/", views.moderation_queue, name="forum_moderation"),
    path("moderation/log/", views.moderation_log, name="forum_moderation_log"),
    path("moderation/p/<int:pk>/", views.moderate_post, name="forum_moderate_post"),
    path("moderation/t/<int:pk>/", views.moderate_thread, name="forum_moderate_thread"),
    path("moderation/u/<int:user_id>/", views.moderate_user, name="forum_moderate_user"),
]

"""Draft editions of the guidebook under review: /<lang>/guidebook-review/<id>/.
(Published editions are Wagtail pages: /<lang>/guidebook/<slug>/ and …/pdf/.)"""

from django.urls import path

from practices import guidebook_views

urlpatterns = [
    path("guidebook-review/<int:pk>/", guidebook_views.review, name="guidebook_review"),
    path("guidebook-review/<int:pk>/pdf/", guidebook_views.review_pdf, name="guidebook_review_pdf"),
]

"""The author's side of the library: /<lang>/practices/submit/ and /<lang>/practices/mine/.

Included before Wagtail's pages, so these two slugs are reserved in every library
(practices.forms refuses them for a practice)."""

from django.urls import path

from practices import submissions

urlpatterns = [
    path("practices/submit/", submissions.submit_practice, name="practice_submit"),
    path("practices/mine/", submissions.my_submissions, name="my_submissions"),
]
